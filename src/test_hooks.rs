// SPDX-License-Identifier: GPL-2.0

//! Test-only injection points: pauses that widen a window for a test to hit (a panic in
//! the middle of loading, say). Compiled in only by a test build of the module
//! (`make RPO_TEST_HOOKS=1`, as `make check` builds it); armed from the kernel command
//! line, `rpo_test.pause=POINT:MS`, so a test build behaves as the normal one in every
//! boot that does not ask for a pause. In the normal build `pause` is empty.

/// Pauses at `point` if the command line asks for it. Process context.
#[cfg(rpo_test_hooks)]
pub(crate) fn pause(point: &str) {
    let mut buf = [0u8; 4096];
    let Some(n) = crate::ffi::kernel_state::read_cmdline(&mut buf) else {
        return;
    };
    for word in buf[..n].split(|c| c.is_ascii_whitespace()) {
        let Some(arg) = word.strip_prefix(b"rpo_test.pause=") else {
            continue;
        };
        let Some(colon) = arg.iter().rposition(|&c| c == b':') else {
            continue;
        };
        if &arg[..colon] != point.as_bytes() {
            continue;
        }
        let Some(ms) = crate::logic::uint_param::parse_in_range(&arg[colon + 1..], 1, 60_000)
        else {
            continue;
        };
        kernel::pr_info!("test hook: pausing {} ms at {}\n", ms, point);
        crate::ffi::cpus::sleep_us(ms * 1000, ms * 1000 + 1000);
    }
}

/// Pauses at `point` if the command line asks for it (not in this build).
#[cfg(not(rpo_test_hooks))]
#[inline(always)]
pub(crate) fn pause(_point: &str) {}
