//! Pure parsers: text in, typed values out, with line numbers in their errors.
//! Each is tested on real samples (lab captures, real ocfs2-tools output) and on
//! old formats and broken input.
