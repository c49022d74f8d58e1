// SPDX-License-Identifier: GPL-2.0

//! Adapter over the kernel's module parameters: a parameter is a type that can take a
//! value while the module loads and show its value in sysfs ([`ModuleParam`]). The kernel
//! finds the parameters as an array of `struct kernel_param` in the module's `__param`
//! section (6.12's `module!` cannot declare parameters); [`module_params!`] builds that
//! array, and the `parm`/`parmtype` lines `modinfo` shows, from one list.
//!
//! The parameters are read-only in sysfs (0444): they say how the module was loaded and
//! what it runs with; the sysctls change it at run time.

use crate::bindings as b;
use core::ffi::c_int;
use kernel::ffi::c_char;
use kernel::prelude::*;
use kernel::str::CStr;

/// One module parameter.
pub(crate) trait ModuleParam {
    /// Takes `value` (the text after `name=`; empty if none). Called while the module
    /// loads, before its init, one parameter at a time; an error fails the load, and the
    /// kernel logs the parameter's name and value.
    fn set(value: &[u8]) -> Result;
    /// Writes the value and a newline into `out`; returns the length.
    fn get(out: &mut [u8]) -> usize;
}

/// The kernel's `set` callback of a [`ModuleParam`].
///
/// # Safety
///
/// Called only by the kernel's parameter parser (`parse_args()` at module load, under
/// `kernel_param_lock()`), with `value` null or a NUL-terminated string that stays valid
/// for the call.
unsafe extern "C" fn set_cb<T: ModuleParam>(
    value: *const c_char,
    _kp: *const b::kernel_param,
) -> c_int {
    let text = if value.is_null() {
        &[][..]
    } else {
        // SAFETY: not null, so a NUL-terminated string valid for the call (the contract).
        unsafe { CStr::from_char_ptr(value) }.as_bytes()
    };
    match T::set(text) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// The kernel's `get` callback of a [`ModuleParam`].
///
/// # Safety
///
/// Called only by sysfs (`param_attr_show()`), with `buffer` a page of `PAGE_SIZE` bytes
/// that nothing else uses during the call.
unsafe extern "C" fn get_cb<T: ModuleParam>(
    buffer: *mut c_char,
    _kp: *const b::kernel_param,
) -> c_int {
    // SAFETY: a page, ours for the call (the contract).
    let out =
        unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), kernel::page::PAGE_SIZE) };
    T::get(out) as c_int
}

/// The callbacks of one parameter type (`struct kernel_param_ops`).
#[repr(transparent)]
pub(crate) struct ParamOps(b::kernel_param_ops);

// SAFETY: constant data (function pointers and flags), never written after build.
unsafe impl Sync for ParamOps {}

impl ParamOps {
    /// The callbacks of `T`.
    pub(crate) const fn of<T: ModuleParam>() -> Self {
        Self(b::kernel_param_ops {
            flags: 0,
            set: Some(set_cb::<T>),
            get: Some(get_cb::<T>),
            free: None,
        })
    }
}

/// One entry of the `__param` section (`struct kernel_param`).
#[repr(transparent)]
pub(crate) struct ParamEntry(b::kernel_param);

// SAFETY: constant data that the kernel only reads (under its parameter lock); the pointers
// it holds are to statics of this module.
unsafe impl Sync for ParamEntry {}

// Only its address is taken; without lockdep `struct module` holds an empty
// `lockdep_map`, which the lint calls not FFI-safe.
#[cfg(MODULE)]
#[allow(improper_ctypes)]
extern "C" {
    /// The module, as `module!` declares it for `THIS_MODULE`.
    static __this_module: kernel::types::Opaque<kernel::bindings::module>;
}

/// `THIS_MODULE`: the module, or null when built in.
pub(crate) const fn this_module() -> *mut b::module {
    #[cfg(MODULE)]
    {
        // SAFETY: only the address is taken; the module loader provides the symbol, which
        // lives as long as the module.
        #[allow(unused_unsafe)]
        unsafe {
            __this_module.get()
        }
    }
    #[cfg(not(MODULE))]
    {
        core::ptr::null_mut()
    }
}

impl ParamEntry {
    /// The parameter `name` (with the `rust_printk_offload.` prefix when built in), read
    /// only in sysfs, served by `ops`.
    pub(crate) const fn new(name: &'static CStr, ops: &'static ParamOps) -> Self {
        Self(b::kernel_param {
            name: name.as_char_ptr(),
            mod_: this_module(),
            ops: &ops.0,
            perm: 0o444,
            level: -1,
            flags: 0,
            __bindgen_anon_1: b::kernel_param__bindgen_ty_1 {
                arg: core::ptr::null_mut(),
            },
        })
    }
}

/// The bytes of `s`, as an array of exactly its length (for `.modinfo` lines).
pub(crate) const fn bytes_of<const N: usize>(s: &str) -> [u8; N] {
    let b = s.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = b[i];
        i += 1;
    }
    out
}

/// A parameter's name as the kernel matches it: bare in a module, with the module's name in
/// front when built in (as `MODULE_PARAM_PREFIX`).
#[cfg(MODULE)]
macro_rules! param_name {
    ($n:ident) => {
        concat!(stringify!($n), "\0")
    };
}
#[cfg(not(MODULE))]
macro_rules! param_name {
    ($n:ident) => {
        concat!("rust_printk_offload.", stringify!($n), "\0")
    };
}
pub(crate) use param_name;

/// A `.modinfo` key, prefixed as `__MODULE_INFO_PREFIX` does.
#[cfg(MODULE)]
macro_rules! modinfo_key {
    ($k:literal) => {
        $k
    };
}
#[cfg(not(MODULE))]
macro_rules! modinfo_key {
    ($k:literal) => {
        concat!("rust_printk_offload.", $k)
    };
}
pub(crate) use modinfo_key;

/// Declares the module's parameters: `name: Type, "modinfo type", "description";` each,
/// `Type` a [`ModuleParam`]. Emits their `__param` array and their `parm=` and `parmtype=`
/// lines for `modinfo`.
macro_rules! module_params {
    ($($name:ident: $ty:ty, $kind:literal, $desc:literal;)*) => {
        /// The `parm=` and `parmtype=` lines of every parameter, for `modinfo`.
        const MODINFO: &str = concat!($(
            $crate::ffi::module_params::modinfo_key!("parm"),
            "=", stringify!($name), ":", $desc, "\0",
            $crate::ffi::module_params::modinfo_key!("parmtype"),
            "=", stringify!($name), ":", $kind, "\0",
        )*);
        // Not `#[used]`: that would make its `.modinfo` a section of its own (retained),
        // and modpost reads one `.modinfo` section. `KEEP_MODINFO` keeps it instead.
        #[link_section = ".modinfo"]
        static MODINFO_LINES: [u8; MODINFO.len()] =
            $crate::ffi::module_params::bytes_of(MODINFO);
        #[used]
        static KEEP_MODINFO: &[u8] = &MODINFO_LINES;
        /// The module's parameters, where the kernel looks for them.
        #[link_section = "__param"]
        #[used]
        static PARAMS: [$crate::ffi::module_params::ParamEntry; [$(stringify!($name)),*].len()] =
            [$(
                $crate::ffi::module_params::ParamEntry::new(
                    match kernel::str::CStr::from_bytes_with_nul(
                        $crate::ffi::module_params::param_name!($name).as_bytes(),
                    ) {
                        Ok(s) => s,
                        Err(_) => panic!("a parameter name with a NUL byte"),
                    },
                    {
                        static OPS: $crate::ffi::module_params::ParamOps =
                            $crate::ffi::module_params::ParamOps::of::<$ty>();
                        &OPS
                    },
                ),
            )*];
    };
}
pub(crate) use module_params;
