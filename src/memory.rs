//! Handing memory freed between phases back to the operating system, and not holding
//! memory that is not needed.
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

/// `ids` frozen without the spare capacity of their views: the order lines are built in
/// parts, each part's views grow by doubling, and at 100M lines the spare room held
/// ~0.5 GB for as long as the lines lived.
pub fn without_spare_views(
    mut ids: polars_arrow::array::MutableBinaryViewArray<str>,
) -> polars_arrow::array::Utf8ViewArray {
    shrink_views(&mut ids);
    ids.freeze()
}

/// Give back the spare capacity of the views of `ids`, grown by doubling.
#[allow(unsafe_code)]
pub fn shrink_views(ids: &mut polars_arrow::array::MutableBinaryViewArray<str>) {
    // SAFETY: shrinking the capacity of the views keeps every view, its order and the
    // buffers it points into; no invariant of the array depends on the capacity.
    unsafe { ids.views_mut().shrink_to_fit() };
}

/// Give the whole pages inside `bytes` back to the system (`madvise(MADV_DONTNEED)`);
/// they read as zeros afterwards. For memory that will not be read again. Nothing on
/// other platforms.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn discard(bytes: &mut [u8]) {
    // SAFETY: sysconf reads a constant of the system.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0);
    if page == 0 {
        return;
    }
    let start = bytes.as_mut_ptr() as usize;
    let end = start + bytes.len();
    let (first, last) = (start.next_multiple_of(page), end - end % page);
    if last > first {
        // SAFETY: the pages lie inside `bytes`, which this call borrows mutably, so no
        // other reference sees them change. Private anonymous pages (all the heap is)
        // read as zeros after MADV_DONTNEED, a valid value for every u8.
        unsafe {
            libc::madvise(
                first as *mut libc::c_void,
                last - first,
                libc::MADV_DONTNEED,
            );
        }
    }
}

/// Give the whole pages inside `bytes` back to the system; nothing on this platform.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn discard(_bytes: &mut [u8]) {}
