"""Stand-ins for Azure, one module per API; each body cites the REST spec example and, where known,
the real response it is shaped after. ``transport`` holds the HTTP plumbing, ``network`` loopback
servers for a dead network."""
