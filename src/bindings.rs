// SPDX-License-Identifier: GPL-2.0

//! Raw bindings for the C APIs this module needs beyond `kernel::bindings`, generated at
//! build time by bindgen from `src/offload_bindings.h` (see `scripts/gen-bindings.sh`).
//! Only the thin FFI files of this crate use them.

#![allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    unreachable_pub,
    unused_imports,
    missing_docs,
    dead_code,
    unsafe_op_in_unsafe_fn,
    clippy::all,
    rustdoc::all
)]

include!("../offload_bindings_generated.rs");
