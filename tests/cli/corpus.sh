#!/bin/sh
# The bad-input corpus (tests/corpus/cases.tsv) under the sanitizer build of
# the CLI (build/rtm-san): see tests/corpus/run.sh.
exec sh tests/corpus/run.sh "$@"
