""".NET behaviour Logic Apps inherits: DateTime and number formatting (en-US), date parsing.

Logic Apps documents its format parameters as .NET format strings ("a single format specifier or a
custom format pattern", Microsoft's expression function reference), so these modules follow
Microsoft's .NET pages "Standard/Custom date and time format strings" and "Standard/Custom numeric
format strings" for the en-US culture.
"""
