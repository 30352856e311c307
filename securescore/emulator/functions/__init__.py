"""The expression functions, one module per family of Microsoft's "Reference guide to workflow
expression functions in Azure Logic Apps and Power Automate" (2025-10-06 revision):

strings, collection, logical, conversion, arithmetic (math), dates (date and time), workflow,
uri (URI parsing), manipulation (JSON & XML). Implicit data type conversions live in
`securescore.emulator.values`. Importing this package registers every function.
"""

from securescore.emulator.functions import (  # noqa: F401  (registration)
    arithmetic,
    collection,
    conversion,
    dates,
    logical,
    manipulation,
    strings,
    uri,
    workflow,
)
from securescore.emulator.functions.registry import FUNCTIONS, Spec, check_call

__all__ = ["FUNCTIONS", "Spec", "check_call"]
