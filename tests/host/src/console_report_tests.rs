// SPDX-License-Identifier: GPL-2.0

use crate::logic::console_report::{verdict, ConsoleFacts, PrintedBy, Why};

fn legacy() -> ConsoleFacts {
    ConsoleFacts {
        enabled: true,
        has_write: true,
        ..Default::default()
    }
}

#[test]
fn held_consoles() {
    let held = ConsoleFacts {
        held: true,
        enabled: false,
        ..legacy()
    };
    assert_eq!(verdict(held), (PrintedBy::Module, Why::Offloaded));
    let handed_back = ConsoleFacts {
        enabled: true,
        kernel_prints: true,
        ..held
    };
    assert_eq!(verdict(handed_back), (PrintedBy::Kernel, Why::Emergency));
    // Enabled by another party (console_start()) with no emergency reason.
    let started = ConsoleFacts {
        enabled: true,
        ..held
    };
    assert_eq!(verdict(started), (PrintedBy::Kernel, Why::EnabledElsewhere));
    // Handed back while the flags are being written: still the module's until they are.
    let being_handed_back = ConsoleFacts {
        kernel_prints: true,
        ..held
    };
    assert_eq!(
        verdict(being_handed_back),
        (PrintedBy::Module, Why::Offloaded)
    );
    let suspended = ConsoleFacts {
        suspended: true,
        ..held
    };
    assert_eq!(verdict(suspended), (PrintedBy::Nobody, Why::Suspended));
}

#[test]
fn consoles_left_to_the_kernel() {
    for (f, why) in [
        (
            ConsoleFacts {
                boot: true,
                ..legacy()
            },
            Why::BootConsole,
        ),
        (
            ConsoleFacts {
                nbcon: true,
                ..legacy()
            },
            Why::Nbcon,
        ),
        (
            ConsoleFacts {
                extended: true,
                ..legacy()
            },
            Why::Extended,
        ),
        (
            ConsoleFacts {
                slots_full: true,
                ..legacy()
            },
            Why::OverLimit,
        ),
        (legacy(), Why::NotYetTaken),
    ] {
        assert_eq!(verdict(f), (PrintedBy::Kernel, why), "{f:?}");
    }
}

#[test]
fn consoles_nobody_prints() {
    let disabled = ConsoleFacts {
        enabled: false,
        ..legacy()
    };
    assert_eq!(verdict(disabled), (PrintedBy::Nobody, Why::Disabled));
    let no_write = ConsoleFacts {
        has_write: false,
        ..legacy()
    };
    assert_eq!(verdict(no_write), (PrintedBy::Nobody, Why::NoWrite));
    let nbcon = ConsoleFacts {
        nbcon: true,
        has_write: false,
        ..legacy()
    };
    assert_eq!(verdict(nbcon), (PrintedBy::Kernel, Why::Nbcon));
    // The kind of console is the reason even when it is disabled.
    let boot_off = ConsoleFacts {
        boot: true,
        enabled: false,
        ..legacy()
    };
    assert_eq!(verdict(boot_off), (PrintedBy::Nobody, Why::BootConsole));
}

#[test]
fn names_are_single_words() {
    for w in [
        Why::Offloaded,
        Why::Emergency,
        Why::Suspended,
        Why::BootConsole,
        Why::Nbcon,
        Why::Extended,
        Why::NoWrite,
        Why::Disabled,
        Why::OverLimit,
        Why::NotYetTaken,
        Why::EnabledElsewhere,
    ] {
        assert!(!w.as_str().contains(' '), "{w:?}");
    }
    for p in [PrintedBy::Module, PrintedBy::Kernel, PrintedBy::Nobody] {
        assert!(!p.as_str().contains(' '));
    }
}
