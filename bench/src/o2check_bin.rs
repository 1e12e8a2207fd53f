//! The o2check binary under test, and its CPU time measured from outside: the
//! shipped binary has no benchmark hooks, so the coordinator's own CPU (without
//! the ssh stand-ins it started) is read from its /proc entry while it is a zombie.

use nix::sys::wait::{waitid, Id, WaitPidFlag, WaitStatus};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::time::Duration;

/// `explicit`, or `o2check` next to this program (cargo puts both binaries of a
/// workspace in the same target directory).
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, String> {
    let exe = match explicit {
        Some(p) => p.to_path_buf(),
        None => std::env::current_exe()
            .map_err(|e| format!("cannot find this program: {e}"))?
            .with_file_name("o2check"),
    };
    if exe.is_file() {
        Ok(exe)
    } else {
        Err(format!(
            "no o2check binary at {} (build it: `cargo build --release -p o2check`, or run scripts/bench; or pass --o2check FILE)",
            exe.display()
        ))
    }
}

/// Waits for `child` and returns its exit status with its own user+system CPU
/// time, without that of the children it waited for. The exited child is
/// inspected before it is reaped (waitid with WNOWAIT keeps the zombie and its
/// /proc/PID/stat; proc(5): utime, stime are fields 14 and 15, in clock ticks).
pub fn wait_with_own_cpu(mut child: Child) -> Result<(ExitStatus, Duration), String> {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    loop {
        match waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT) {
            Ok(WaitStatus::StillAlive) | Err(nix::errno::Errno::EINTR) => continue,
            Ok(_) => break,
            Err(e) => return Err(format!("waitid: {e}")),
        }
    }
    let own = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| own_cpu(&stat))
        .unwrap_or_default();
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((status, own))
}

/// utime + stime of a /proc/PID/stat line.
fn own_cpu(stat: &str) -> Duration {
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): utime (14) and stime (15) are its 12th and 13th.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as u64;
    Duration::from_micros(ticks * 1_000_000 / hz.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_with_spaces_in_the_name_gives_utime_plus_stime() {
        let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
            .unwrap()
            .unwrap() as u64;
        // proc(5) field order; utime = 7 ticks, stime = 5 ticks.
        let stat = "4242 (o2 check) Z 1 4242 4242 0 -1 4194560 100 0 0 0 7 5 30 40 20 0 1 0 1 0 0";
        assert_eq!(own_cpu(stat), Duration::from_micros(12 * 1_000_000 / hz));
    }

    #[test]
    fn the_cpu_of_a_busy_child_is_measured_and_its_childrens_is_not() {
        // The shell burns CPU itself, then waits for a child that burns more.
        let child = std::process::Command::new("sh")
            .args([
                "-c",
                "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sh -c 'j=0; while [ $j -lt 400000 ]; do j=$((j+1)); done'",
            ])
            .spawn()
            .unwrap();
        let before = children_cpu();
        let (status, own) = wait_with_own_cpu(child).unwrap();
        let all = children_cpu() - before;
        assert!(status.success());
        assert!(own > Duration::ZERO, "{own:?}");
        assert!(own < all, "own {own:?}, with children {all:?}");
    }

    fn children_cpu() -> Duration {
        let u =
            nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap();
        let t = |tv: nix::sys::time::TimeVal| {
            Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000)
        };
        t(u.user_time()) + t(u.system_time())
    }
}
