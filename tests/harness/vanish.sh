#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Harness control (expected to make the run FAIL): the test runner stops for good (as a
# hung guest would), so this test and the next one never report and the guest never
# powers off. The host must stop the guest at its limit and count the missing reports.
runner=$(ps -o ppid= -p "$(ps -o ppid= -p $$)" | tr -d ' ')
echo "stopping the test runner (pid $runner)"
kill -STOP "$runner"
