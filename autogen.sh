#!/bin/sh
# Regenerate the build system.
mkdir -p m4 && exec autoreconf -fi
