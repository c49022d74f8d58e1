// SPDX-License-Identifier: GPL-2.0

//! Who prints a console and why: the `consoles` file's verdict for one console, from the
//! facts the console list and the module's slots give.

/// What is known of one console in the kernel's list.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct ConsoleFacts {
    /// In one of the module's slots.
    pub(crate) held: bool,
    /// `CON_ENABLED`: the kernel prints it.
    pub(crate) enabled: bool,
    /// `CON_SUSPENDED`: nobody prints it (system suspend, `console_suspend`).
    pub(crate) suspended: bool,
    /// `CON_BOOT`.
    pub(crate) boot: bool,
    /// `CON_NBCON`.
    pub(crate) nbcon: bool,
    /// `CON_EXTENDED`.
    pub(crate) extended: bool,
    /// It has a legacy `write()` (nbcon consoles need none).
    pub(crate) has_write: bool,
    /// Every slot of the module is taken.
    pub(crate) slots_full: bool,
    /// An emergency reason holds and the consoles were handed back: the kernel prints the
    /// held consoles.
    pub(crate) kernel_prints: bool,
}

/// Who prints a console.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PrintedBy {
    /// The module's kthreads.
    Module,
    /// The kernel, in `printk()` callers (or its own threads).
    Kernel,
    /// Nobody, for now.
    Nobody,
}

impl PrintedBy {
    /// As the `consoles` file shows it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PrintedBy::Module => "module",
            PrintedBy::Kernel => "kernel",
            PrintedBy::Nobody => "nobody",
        }
    }
}

/// Why a console is printed by whom it is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Why {
    /// Held and not enabled: the module's.
    Offloaded,
    /// Held, and the kernel prints it: emergency mode (the caller names the reasons).
    Emergency,
    /// Suspended: nobody prints it until it is resumed.
    Suspended,
    /// A boot console: it goes away when the real console registers.
    BootConsole,
    /// An nbcon console: the kernel's own atomic and threaded printing.
    Nbcon,
    /// An extended (dictionary) console, formatted differently.
    Extended,
    /// No legacy `write()`.
    NoWrite,
    /// Disabled by someone else, and not held.
    Disabled,
    /// Every slot of the module is taken.
    OverLimit,
    /// Registered or enabled since the last survey: a kthread takes it over shortly.
    NotYetTaken,
    /// Held, but enabled by someone else (`console_start()`) with no emergency reason:
    /// the kernel prints it until the module applies the mode again, at the next doorbell.
    EnabledElsewhere,
}

impl Why {
    /// As the `consoles` file shows it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Why::Offloaded => "offloaded",
            Why::Emergency => "emergency",
            Why::Suspended => "suspended",
            Why::BootConsole => "boot_console",
            Why::Nbcon => "nbcon",
            Why::Extended => "extended",
            Why::NoWrite => "no_write",
            Why::Disabled => "disabled",
            Why::OverLimit => "over_console_limit",
            Why::NotYetTaken => "not_taken_over_yet",
            Why::EnabledElsewhere => "enabled_elsewhere",
        }
    }
}

/// Who prints the console `f` describes, and why.
pub(crate) fn verdict(f: ConsoleFacts) -> (PrintedBy, Why) {
    if f.suspended {
        return (PrintedBy::Nobody, Why::Suspended);
    }
    if f.held {
        return if f.enabled && f.kernel_prints {
            (PrintedBy::Kernel, Why::Emergency)
        } else if f.enabled {
            (PrintedBy::Kernel, Why::EnabledElsewhere)
        } else {
            (PrintedBy::Module, Why::Offloaded)
        };
    }
    // The kernel prints an enabled console through its legacy write(), or an nbcon one
    // through its own callbacks.
    let kernel_or_nobody = if f.enabled && (f.has_write || f.nbcon) {
        PrintedBy::Kernel
    } else {
        PrintedBy::Nobody
    };
    let why = if f.boot {
        Why::BootConsole
    } else if f.nbcon {
        Why::Nbcon
    } else if f.extended {
        Why::Extended
    } else if !f.has_write {
        Why::NoWrite
    } else if !f.enabled {
        Why::Disabled
    } else if f.slots_full {
        Why::OverLimit
    } else {
        Why::NotYetTaken
    };
    (kernel_or_nobody, why)
}
