"""Azure portal deep links in the email, built from ids only (sources in docs/design.md, "Portal links").

The constant parts are here; the run-time parts are ids that the queries check (a recommendation's
assessment key is a GUID or empty) and that `wdl.url_part` encodes, and every href is HTML-escaped
like any other value (`wdl.text`), so nothing from data can become markup or another URL.
"""

from __future__ import annotations

PORTAL = "https://portal.azure.com/"
# Defender for Cloud's secure score page: every subscription's score, each opening its recommendations.
SECURE_SCORE = PORTAL + "#view/Microsoft_Azure_Security/SecurityMenuBlade/~/SecureScore"
# Defender for Cloud's recommendations page, grouped by security control (Microsoft's own workbooks link
# "Microsoft Defender for Cloud: Recommendations" to this blade).
RECOMMENDATIONS = PORTAL + "#blade/Microsoft_Azure_Security/SecurityMenuBlade/5"
# One recommendation with its affected resources; + the assessment key (Microsoft Learn's
# recommendation reference pages, and links.azurePortal in the exported assessment's schema).
RECOMMENDATION = PORTAL + "#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/"
# One run of a Consumption Logic App; + the run's resource id, URI-encoded (workflow()['run']['id']).
WORKFLOW_RUN = PORTAL + "#view/Microsoft_Azure_EMA/LogicAppsMonitorBlade/runid/"
