// SPDX-License-Identifier: GPL-2.0

//! Test-only injection points: pauses that widen a window for a test to hit (a panic in
//! the middle of loading, say). Compiled in only by a test build of the module
//! (`make RPO_TEST_HOOKS=1`, as `make check` builds it); armed from the kernel command
//! line, `rpo_test.pause=POINT:MS`, so a test build behaves as the normal one in every
//! boot that does not ask for a pause. Failures (`fail`) are armed by the test build's
//! `test_fail_at` parameter, one load at a time. In the normal build both are empty.

/// The longest command line kept for `pause`.
#[cfg(rpo_test_hooks)]
const CMDLINE_MAX: usize = 4096;
/// The command line as `arm` read it.
#[cfg(rpo_test_hooks)]
static CMDLINE: crate::logic::static_text::StaticText<CMDLINE_MAX> =
    crate::logic::static_text::StaticText::new();

/// Reads the command line for `pause`, first thing at load: a pause point may be where
/// reading a file is not allowed (inside a sysfs read, a nested `seq_file`). Process
/// context.
#[cfg(rpo_test_hooks)]
pub(crate) fn arm() {
    let mut buf = [0u8; CMDLINE_MAX];
    let n = crate::ffi::kernel_state::read_cmdline(&mut buf).unwrap_or(0);
    // `n` fits: it was read into a buffer of the same size.
    let _ = CMDLINE.store(&buf[..n]);
}

/// Reads the command line for `pause` (not in this build).
#[cfg(not(rpo_test_hooks))]
#[inline(always)]
pub(crate) fn arm() {}

/// Pauses at `point` if the command line asks for it. Process context.
#[cfg(rpo_test_hooks)]
pub(crate) fn pause(point: &str) {
    let mut buf = [0u8; CMDLINE_MAX];
    let n = CMDLINE.load(&mut buf).unwrap_or(0);
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

/// Fails the load at `point` (`Err(ENOMEM)`, as an allocation failure there would) if the
/// load was given `test_fail_at=POINT`, so that a test can see everything done before it
/// undone. Process context (module init).
#[cfg(rpo_test_hooks)]
pub(crate) fn fail(point: &str) -> kernel::error::Result {
    if !fail_at::is(point) {
        return Ok(());
    }
    kernel::pr_info!("test hook: failing the load at {}\n", point);
    Err(kernel::error::code::ENOMEM)
}

/// Fails the load at `point` if asked to (not in this build).
#[cfg(not(rpo_test_hooks))]
#[inline(always)]
pub(crate) fn fail(_point: &str) -> kernel::error::Result {
    Ok(())
}

/// The test build's `test_fail_at` parameter.
#[cfg(rpo_test_hooks)]
mod fail_at {
    use crate::ffi::module_params::{module_params, ModuleParam};
    use crate::logic::static_text::StaticText;
    use kernel::prelude::*;

    /// The longest point name kept.
    const POINT_MAX: usize = 32;
    static POINT: StaticText<POINT_MAX> = StaticText::new();

    /// Whether the load was asked to fail at `point`.
    pub(super) fn is(point: &str) -> bool {
        let mut given = [0u8; POINT_MAX];
        POINT
            .load(&mut given)
            .is_some_and(|n| &given[..n] == point.as_bytes())
    }

    struct FailAt;

    impl ModuleParam for FailAt {
        fn set(value: &[u8]) -> Result {
            let value = value.strip_suffix(b"\n").unwrap_or(value);
            POINT.store(value).map_err(|_| EINVAL)
        }

        fn get(out: &mut [u8]) -> usize {
            POINT.load(out).unwrap_or(0)
        }
    }

    module_params! {
        test_fail_at: FailAt, "charp", "test build only: fail the load at this point";
    }
}
