#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Harness control: listed after vanish.sh, so it never runs and never reports.
exit 0
