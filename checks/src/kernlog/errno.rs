//! Names of the errnos o2 messages carry (`status = -107`), for people who do not
//! know them by number. Linux x86-64 values (include/uapi/asm-generic/errno*.h).

pub fn name(errno: i32) -> &'static str {
    match errno.abs() {
        1 => "EPERM",
        2 => "ENOENT",
        5 => "EIO",
        6 => "ENXIO",
        11 => "EAGAIN",
        12 => "ENOMEM",
        13 => "EACCES",
        16 => "EBUSY",
        17 => "EEXIST",
        19 => "ENODEV",
        22 => "EINVAL",
        28 => "ENOSPC",
        30 => "EROFS",
        34 => "ERANGE",
        71 => "EPROTO",
        98 => "EADDRINUSE",
        99 => "EADDRNOTAVAIL",
        104 => "ECONNRESET",
        107 => "ENOTCONN",
        110 => "ETIMEDOUT",
        111 => "ECONNREFUSED",
        113 => "EHOSTUNREACH",
        512 => "ERESTARTSYS",
        _ => "?",
    }
}
