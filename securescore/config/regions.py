"""The Azure public-cloud regions a stack may be deployed to.

Source: Microsoft Learn, "Azure regions list" (learn.microsoft.com/azure/reliability/regions-list,
ms.date 09/23/2025), the "Programmatic name" column of its "All" table, which is what ARM takes as
``location``. Regions the page marks "coming soon" or "restricted access" are listed too: Azure
itself refuses them for a subscription that has no access, with its own message.
"""

from __future__ import annotations

import difflib

REGIONS = (
    "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast", "austriaeast",
    "belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral", "canadaeast", "centralindia",
    "centralus", "chilecentral", "denmarkeast", "eastasia", "eastus", "eastus2", "francecentral",
    "francesouth", "germanynorth", "germanywestcentral", "indonesiacentral", "israelcentral", "italynorth",
    "japaneast", "japanwest", "koreacentral", "koreasouth", "malaysiawest", "mexicocentral",
    "newzealandnorth", "northcentralus", "northeurope", "norwayeast", "norwaywest", "polandcentral",
    "qatarcentral", "southafricanorth", "southafricawest", "southcentralus", "southeastasia", "southindia",
    "spaincentral", "swedencentral", "switzerlandnorth", "switzerlandwest", "uaecentral", "uaenorth",
    "uksouth", "ukwest", "westcentralus", "westeurope", "westindia", "westus", "westus2", "westus3",
)
_REGION_SET = frozenset(REGIONS)


def normalize(value: str) -> str:
    """The programmatic form of a region written as its programmatic or display name ("West Europe")."""
    return value.replace(" ", "").lower()


def is_region(value: str) -> bool:
    return normalize(value) in _REGION_SET


def closest_region(value: str) -> str | None:
    matches = difflib.get_close_matches(normalize(value), REGIONS, n=1, cutoff=0.75)
    return matches[0] if matches else None
