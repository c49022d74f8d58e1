#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Harness control (expected to make the run FAIL): the test runner stops for good (as a
# hung guest would), so this test and the next one never report and the guest never
# powers off. The host must stop the guest at its limit and count the missing reports.
# The runner is our grandparent: run_tests.sh -> timeout -> this script.
ppid_of() { awk '{ print $4 }' "/proc/$1/stat"; }
runner=$(ppid_of "$(ppid_of $$)")
echo "stopping the test runner (pid $runner: $(cat "/proc/$runner/comm"))"
kill -STOP "$runner"
