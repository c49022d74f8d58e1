// SPDX-License-Identifier: GPL-2.0

//! rpo_bench: benchmark-only module that times printk() callers.
//!
//! One kthread per online CPU (bound to it) calls printk() `count` times and times every
//! call with `ktime_get()`; or, with `duration_ms` set, keeps printing for that long (a
//! flood). Like any well-behaved kernel loop, it calls schedule() every 16 calls (outside
//! the timed region). Lines read `rpo_bench: c<CPU> <i>` with i counting from 1 per CPU, so the
//! receiving console can check order and completeness per writer.
//!
//! debugfs, under `/sys/kernel/debug/rpo_bench/` (6.12's Rust `module!` takes no
//! parameters, so everything is set here):
//! - `count`       (0600) calls per CPU in a timed run, and samples kept per CPU in a flood;
//! - `duration_ms` (0600) 0: timed run of `count` calls; else flood for this long;
//! - `gap_us`      (0600) sleep between two calls of one kthread (a paced producer; 0 none);
//! - `atomic`      (0600) 0: calls from process context, rescheduling every 16 calls;
//!   1: every kthread makes all its calls under a spinlock with bottom halves off
//!   (`spin_lock_bh()`: preemption off, interrupts on), as code that
//!   logs in a critical section; 2: the first kthread makes them with interrupts off too
//!   (the others make none), so that the other CPUs' lockup detectors can see it;
//! - `run`         (0200) write anything: run the workload now, return when it is over;
//! - `cpus`        (0600) a bitmask of the CPUs to run on (0: every online CPU);
//! - `rt`          (0600) 1: the kthreads run SCHED_FIFO at priority 50 (`sched_set_fifo()`),
//!   so that a writer with `gap_us` set runs at the first scheduling point after it wakes;
//! - `pad`         (0600) spaces added to the end of every line (0: none), for long records;
//! - `stop`        (0600) write 1 during a flood: it ends at the kthreads' next call
//!   (a run sets it back to 0 when it starts);
//! - `samples`     (0400) the last run's latencies, u32 nanoseconds, native endian, one
//!   block of `count` values per kthread in `threads` order (a flood fills what it can);
//! - `threads`     (0400) kthreads in the last run; `calls` (0400) printk() calls made.

use core::ptr::{addr_of_mut, null_mut};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KBox, KVec};
use kernel::ffi::{c_char, c_void};
use kernel::prelude::*;
use kernel::types::Opaque;

// Generated at build time (see `Kbuild`); its lint exemptions come with it.
#[rustfmt::skip]
#[path = "bench_bindings_generated.rs"]
mod bindings;
use bindings as b;

#[path = "rpo_bench_worker.rs"]
mod worker;
use worker::{now_ns, worker_fn, Worker};

module! {
    type: RpoBench,
    name: "rpo_bench",
    author: "rust_printk_offload developers",
    description: "Benchmark-only: times printk() callers on every CPU",
    license: "GPL",
}

/// The lock class of the workers' spinlocks (lockdep needs a static key).
#[cfg(CONFIG_DEBUG_SPINLOCK)]
static LOCK_CLASS: kernel::sync::LockClassKey =
    // SAFETY: lockdep expects uninitialised memory for a static `lock_class_key`.
    unsafe { core::mem::MaybeUninit::uninit().assume_init() };

/// Most CPUs a run uses (the kernels here are built with NR_CPUS=8).
const MAX_THREADS: usize = 8;

/// Settings and results, shared with debugfs and the kthreads.
///
/// # Invariants
///
/// `blob.data` is null (size 0) or a `vzalloc` buffer of `blob.size` bytes that only a run
/// (serialised by `running`) replaces. `dir` is the debugfs directory or an error/null
/// pointer (debugfs failures are not fatal by design).
struct Bench {
    count: Opaque<u32>,
    duration_ms: Opaque<u32>,
    gap_us: Opaque<u32>,
    atomic: Opaque<u32>,
    /// Bitmask of the CPUs a run uses; 0: every online one.
    cpus: Opaque<u32>,
    /// Nonzero: the kthreads run SCHED_FIFO.
    rt: Opaque<u32>,
    /// Spaces at the end of every line.
    pad: Opaque<u32>,
    threads: Opaque<u32>,
    calls: Opaque<u64>,
    /// Nonzero: a flood ends now.
    stop: Opaque<u32>,
    blob: Opaque<b::debugfs_blob_wrapper>,
    running: AtomicBool,
    dir: *mut b::dentry,
}

// SAFETY: the raw pointers are this module's own memory and debugfs entries; see the
// type invariants for who writes what.
unsafe impl Send for Bench {}
// SAFETY: as above.
unsafe impl Sync for Bench {}

fn cpu_online(cpu: u32) -> bool {
    // SAFETY: the online mask is a kernel global; reading a word of it is always valid.
    let word = unsafe {
        core::ptr::read_volatile(addr_of_mut!(b::__cpu_online_mask.bits[(cpu / 64) as usize]))
    };
    word & (1 << (cpu % 64)) != 0
}

fn nr_cpu_ids() -> u32 {
    // SAFETY: set once at boot.
    unsafe { b::nr_cpu_ids }
}

impl Bench {
    /// Runs the configured workload on every online CPU that `cpus` allows; returns when all
    /// kthreads are done.
    fn run(&self) -> Result {
        if self.running.swap(true, Ordering::SeqCst) {
            return Err(EBUSY);
        }
        let r = self.run_locked();
        self.running.store(false, Ordering::SeqCst);
        r
    }

    fn run_locked(&self) -> Result {
        // SAFETY: plain u32s written by debugfs; a torn read is impossible for u32.
        let (count, duration_ms, gap_us, atomic, only, rt, pad) = unsafe {
            (
                *self.count.get(),
                *self.duration_ms.get(),
                *self.gap_us.get(),
                *self.atomic.get(),
                *self.cpus.get(),
                *self.rt.get(),
                (*self.pad.get()).min(900),
            )
        };
        let cpus: KVec<u32> = {
            let mut v = KVec::new();
            for cpu in 0..nr_cpu_ids().min(MAX_THREADS as u32) {
                if cpu_online(cpu) && (only == 0 || only & (1 << cpu) != 0) {
                    v.push(cpu, GFP_KERNEL)?;
                }
            }
            v
        };
        let n = cpus.len();
        if n == 0 {
            // `cpus` names no online CPU.
            return Err(EINVAL);
        }
        let bytes = n * count as usize * 4;
        // SAFETY: plain allocation; freed below or when replaced / at unload.
        let buf = if bytes > 0 {
            unsafe { b::vzalloc_noprof(bytes as _) }
        } else {
            null_mut()
        };
        if bytes > 0 && buf.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `running` serialises runs, and debugfs readers of the blob copy under
        // their own reference to the wrapper; the old buffer is freed after the swap.
        unsafe {
            let blob = self.blob.get();
            let old = (*blob).data;
            (*blob).size = 0;
            (*blob).data = buf;
            if !old.is_null() {
                b::vfree(old);
            }
        }
        let go = AtomicBool::new(false);
        let ready = AtomicU32::new(0);
        // SAFETY: a u32 that debugfs may write concurrently; a volatile write.
        unsafe { core::ptr::write_volatile(self.stop.get(), 0) };
        let mut workers: KVec<KBox<Worker>> = KVec::new();
        for (k, &cpu) in cpus.iter().enumerate() {
            workers.push(
                KBox::new(
                    Worker {
                        cpu,
                        // Interrupts off: the first kthread only (see `atomic`).
                        count: if atomic == 2 && k > 0 { 0 } else { count },
                        flood: duration_ms > 0,
                        end_ns: AtomicU64::new(0),
                        gap_us,
                        pad,
                        atomic,
                        // SAFETY: a raw spinlock is plain C data; all zero is unlocked
                        // (the debug fields, when there are any, are set up below).
                        lock: Opaque::new(unsafe { core::mem::zeroed() }),
                        // SAFETY: block `k` of the `n * count` samples (or null if none).
                        samples: if buf.is_null() {
                            null_mut()
                        } else {
                            unsafe { (buf as *mut u32).add(k * count as usize) }
                        },
                        calls: AtomicU64::new(0),
                        done: AtomicBool::new(false),
                        go: &go,
                        ready: &ready,
                        stop: self.stop.get(),
                    },
                    GFP_KERNEL,
                )?,
                GFP_KERNEL,
            )?;
        }
        // With spinlock debugging (lockdep kernels) a raw spinlock has fields to set up;
        // without it, all zero is an unlocked raw spinlock.
        #[cfg(CONFIG_DEBUG_SPINLOCK)]
        for w in workers.iter() {
            // SAFETY: the box gives the lock a stable address until `workers` drops, after
            // the kthreads stopped; the name is a static C string and the key static.
            unsafe {
                b::__raw_spin_lock_init(
                    w.lock.get(),
                    c"rpo_bench_atomic".as_ptr().cast(),
                    (&LOCK_CLASS as *const kernel::sync::LockClassKey)
                        .cast_mut()
                        .cast::<b::lock_class_key>(),
                    b::lockdep_wait_type_LD_WAIT_SPIN as _,
                )
            };
        }
        let mut tasks: KVec<*mut b::task_struct> = KVec::new();
        let mut err = Ok(());
        for w in workers.iter() {
            let data = &**w as *const Worker as *mut c_void;
            // SAFETY: `worker_fn` matches the kthread signature; `data` outlives the
            // kthread (stopped below before `workers` drops); the name is a C format.
            let t = unsafe {
                b::kthread_create_on_cpu(
                    Some(worker_fn),
                    data,
                    w.cpu,
                    c"rpo_bench/%u".as_ptr() as *const c_char,
                )
            };
            if (t as isize) < 0 && (t as isize) >= -4095 {
                err = Err(Error::from_errno(t as isize as i32));
                break;
            }
            if rt != 0 {
                // SAFETY: a freshly created kthread, not yet woken.
                unsafe { b::sched_set_fifo(t) };
            }
            tasks.push(t, GFP_KERNEL)?;
        }
        for &t in tasks.iter() {
            // SAFETY: a freshly created kthread.
            unsafe { b::wake_up_process(t) };
        }
        if err.is_ok() {
            while ready.load(Ordering::SeqCst) < tasks.len() as u32 {
                // SAFETY: process context.
                unsafe { b::msleep(1) };
            }
            if duration_ms > 0 {
                let end = now_ns() + u64::from(duration_ms) * 1_000_000;
                for w in workers.iter() {
                    w.end_ns.store(end, Ordering::SeqCst);
                }
            }
        }
        // Release the start line (also on error, so created kthreads can finish).
        go.store(true, Ordering::SeqCst);
        while !workers
            .iter()
            .take(tasks.len())
            .all(|w| w.done.load(Ordering::SeqCst))
        {
            // SAFETY: process context.
            unsafe { b::msleep(10) };
        }
        for &t in tasks.iter() {
            // SAFETY: created above and still waiting in its kthread_should_stop() loop.
            unsafe { b::kthread_stop(t) };
        }
        let calls: u64 = workers.iter().map(|w| w.calls.load(Ordering::SeqCst)).sum();
        // SAFETY: see `run`; the kthreads are gone, the buffer is ours to publish.
        unsafe {
            *self.threads.get() = tasks.len() as u32;
            *self.calls.get() = calls;
            (*self.blob.get()).size = bytes as _;
        }
        err
    }
}

/// The one instance, for the `run` file's write().
static BENCH: core::sync::atomic::AtomicPtr<Bench> = core::sync::atomic::AtomicPtr::new(null_mut());

unsafe extern "C" fn run_write(
    _f: *mut b::file,
    _buf: *const c_char,
    len: usize,
    _pos: *mut b::loff_t,
) -> isize {
    let bench = BENCH.load(Ordering::Acquire);
    if bench.is_null() {
        return ENODEV.to_errno() as isize;
    }
    // SAFETY: `BENCH` is cleared and the debugfs files removed (which waits for running
    // handlers) before the `Bench` is freed.
    match unsafe { &*bench }.run() {
        Ok(()) => len as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// `run`: write-only.
static mut RUN_FOPS: b::file_operations = b::file_operations {
    write: Some(run_write),
    open: Some(b::simple_open),
    // SAFETY: all-zero is a valid `file_operations` (every callback absent).
    ..unsafe { core::mem::zeroed() }
};

struct RpoBench {
    bench: KBox<Bench>,
}

impl kernel::Module for RpoBench {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let mut bench = KBox::new(
            Bench {
                count: Opaque::new(2000),
                duration_ms: Opaque::new(0),
                gap_us: Opaque::new(0),
                atomic: Opaque::new(0),
                cpus: Opaque::new(0),
                rt: Opaque::new(0),
                pad: Opaque::new(0),
                threads: Opaque::new(0),
                calls: Opaque::new(0),
                stop: Opaque::new(0),
                blob: Opaque::new(b::debugfs_blob_wrapper {
                    data: null_mut(),
                    size: 0,
                }),
                running: AtomicBool::new(false),
                dir: null_mut(),
            },
            GFP_KERNEL,
        )?;
        // SAFETY: `bench` is boxed and outlives the debugfs files, removed in `drop`
        // before it is freed; RUN_FOPS is only written here, before the file exists.
        unsafe {
            (*addr_of_mut!(RUN_FOPS)).owner = module.as_ptr();
            let dir = b::debugfs_create_dir(c"rpo_bench".as_ptr().cast(), null_mut());
            bench.dir = dir;
            b::debugfs_create_u32(c"count".as_ptr().cast(), 0o600, dir, bench.count.get());
            b::debugfs_create_u32(
                c"duration_ms".as_ptr().cast(),
                0o600,
                dir,
                bench.duration_ms.get(),
            );
            b::debugfs_create_u32(c"gap_us".as_ptr().cast(), 0o600, dir, bench.gap_us.get());
            b::debugfs_create_u32(c"atomic".as_ptr().cast(), 0o600, dir, bench.atomic.get());
            b::debugfs_create_u32(c"cpus".as_ptr().cast(), 0o600, dir, bench.cpus.get());
            b::debugfs_create_u32(c"rt".as_ptr().cast(), 0o600, dir, bench.rt.get());
            b::debugfs_create_u32(c"pad".as_ptr().cast(), 0o600, dir, bench.pad.get());
            b::debugfs_create_u32(c"threads".as_ptr().cast(), 0o400, dir, bench.threads.get());
            b::debugfs_create_u64(c"calls".as_ptr().cast(), 0o400, dir, bench.calls.get());
            b::debugfs_create_u32(c"stop".as_ptr().cast(), 0o600, dir, bench.stop.get());
            b::debugfs_create_blob(c"samples".as_ptr().cast(), 0o400, dir, bench.blob.get());
            b::debugfs_create_file(
                c"run".as_ptr().cast(),
                0o200,
                dir,
                null_mut(),
                addr_of_mut!(RUN_FOPS),
            );
        }
        BENCH.store(&mut *bench, Ordering::Release);
        Ok(Self { bench })
    }
}

impl Drop for RpoBench {
    fn drop(&mut self) {
        BENCH.store(null_mut(), Ordering::Release);
        // SAFETY: removing the files waits for running handlers; then the buffer is ours.
        unsafe {
            b::debugfs_remove(self.bench.dir);
            let data = (*self.bench.blob.get()).data;
            if !data.is_null() {
                b::vfree(data);
            }
        }
    }
}
