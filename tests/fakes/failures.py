"""Failed actions' bodies as published: each is copied from the public evidence named beside it.

Used by the failure-signature tests and by the run_now/check tests, which serve them as the outputs
of a failed action (tests/fakes/logic.py ``action_outputs``).
"""

from __future__ import annotations

# Azure/logicapps#853 (and Azure/LogicAppsUX#3134), the run history's body of the failed query action.
CONNECTOR_TOKEN_FAILURE = {
    "ResultStatus": "BadRequest",
    "Content": {
        "status": 400,
        "source": "https://logic-apis-westeurope.consent.azure-apim.net:443/api/tokens/exchange"
                  "?api-version=2015-11-01-preview",
        "message": "Failed to retrieve token for resource=https://api.loganalytics.io. "
                   "Message=Parameter=Token not found.",
    },
    "Message": "Failed to get HTTP response because of invalid input (ResourceTokenExchanger, queryData). Bad request "
               "input. Please Check user input parameters (query syntax, chart type or other resource input)",
}
# PeterKlapwijk/Microsoft-Logic-Apps#3
NOT_AUTHORIZED = {
    "status": 401,
    "message": "The connection does not contain an access token. Please edit the connection and login.",
    "error": {"message": "The connection does not contain an access token. Please edit the connection and login."},
    "source": "keyvault-eus.azconn-eus-003.p.azurewebsites.net",
}
# Learn, "Azure Monitor Log Analytics API errors"
INSUFFICIENT_ACCESS = {"error": {
    "message": "The provided credentials have insufficient access to perform the requested operation",
    "code": "InsufficientAccessError",
    "innererror": {"code": "UnauthorizedClient",
                   "message": "The service principal does not have sufficient permissions to access this resource"},
}}
WRONG_AUDIENCE = {"error": {
    "code": "InvalidAuthenticationTokenAudience",
    "message": "The access token has been obtained from wrong audience or resource 'https://api.loganalytics.io'. "
               "It should exactly match (including forward slash) with one of the allowed audiences "
               "'https://management.core.windows.net/','https://management.azure.com/'.",
}}
# Learn, "Azure Monitor Log Analytics API response format": 200 with an error whose code is PartialError.
PARTIAL = {"tables": [],
           "error": {"code": "PartialError", "message": "There were some errors when processing your query."}}
# MicrosoftDocs/azure-docs#123379 (the message ACS gives for a sender domain that is not linked)
NOT_LINKED = "5.1.7 The specified sender domain has not been linked."
# Azure/azure-sdk-for-java#39910
BAD_SENDER = {"error": {"code": "BadRequest", "message": "Request body validation error. See property 'senderAddress'",
                        "target": None, "details": None, "innererror": None}}
# REST spec Email 2025-09-01, GetOperationStatusReturnsFailedTerminalStatus.json
DROPPED = {"id": "F9168C5E-CEB2-4faa-B6BF-329BF39FA1E4", "status": "Failed",
           "error": {"code": "EmailDropped", "message": "Email was dropped after several attempts to deliver."}}
