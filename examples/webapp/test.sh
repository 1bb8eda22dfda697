#!/bin/sh
# The sample's unit test: the page must greet. Edit www/index.html, commit, and start ship again.
set -e
grep -q "<h1>" www/index.html || { echo "www/index.html has no <h1> heading"; exit 1; }
echo "ok: www/index.html has its heading"
