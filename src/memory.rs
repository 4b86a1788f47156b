//! Handing memory freed between phases back to the operating system.
//!
//! glibc keeps freed blocks below its mmap threshold (the order lines' column chunks are a
//! few hundred KB each) in its arenas. Once the lines are dropped, scoring allocates its
//! own frames elsewhere, so the process held both: at 40M lines the peak was 3.1 GB where
//! 2.0 GB is needed.

/// Return the free memory of the allocator's arenas to the system (glibc's
/// `malloc_trim`); nothing on other platforms.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_freed() {
    // SAFETY: malloc_trim walks glibc's own arenas under their locks and takes no
    // pointers; it is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Return the free memory of the allocator's arenas to the system (glibc's
/// `malloc_trim`); nothing on other platforms.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_freed() {}
