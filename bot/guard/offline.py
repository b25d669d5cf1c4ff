"""Import Presidio the way this guard uses it: offline, and without its Hugging Face engine.

Imported first by the package, before any module touches Presidio:

- tldextract (pulled in by Presidio's email recognizer) would download the public suffix
  list on first use unless ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is empty when it is
  imported; empty means "use the snapshot bundled with the package".
- Presidio imports ``transformers`` (and with it torch) whenever it is installed, for an NER
  engine this guard never uses. Where the image extra shares the environment that costs the
  web process seconds of start-up and hundreds of megabytes, so the module is hidden for the
  duration of Presidio's import only; anything importing ``transformers`` later gets it as usual.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

_hide_transformers = "transformers" not in sys.modules
if _hide_transformers:
    sys.modules["transformers"] = None  # type: ignore[assignment]  # None blocks the import; typeshed allows modules only
try:
    import presidio_analyzer  # noqa: F401
finally:
    if _hide_transformers:
        del sys.modules["transformers"]

import tldextract  # noqa: E402

# If tldextract was imported before the variable was set, its shared extractor still holds
# the download URLs; clear them so no lookup ever reaches for the network.
tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls = ()
