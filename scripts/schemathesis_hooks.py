"""Schemathesis hooks for Reel (loaded through scripts/schemathesis.toml).

tus sends chunks as `application/offset+octet-stream`: raw bytes, like
`application/octet-stream`, under the protocol's own name.
"""

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
