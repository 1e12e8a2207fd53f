//! `o2check collect`: capture a bundle from a source (normally the live host).
