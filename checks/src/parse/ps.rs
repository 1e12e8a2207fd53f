//! A process list: `ps auxwww` as `o2check collect` and sosreport
//! (sos_commands/process/ps_auxwww) take it, or any procps listing pasted with
//! its header (`ps -ef`, `ps aux`). Columns are found by the header (procps
//! ps/output.c prints one line of column names), and the command column, the
//! last, keeps its spaces; every column before it is one whitespace-free field.

use crate::error::ParseError;
use crate::text::Text;

/// One row: its pid, its state (procps STAT/S, when listed), the command line,
/// and the line of the text it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    pub state: Option<String>,
    pub command: String,
    pub line: u32,
}

impl Process {
    /// The program's name: the command's first word without its directory
    /// (`/usr/sbin/o2hbmonitor -w 60` is `o2hbmonitor`); a kernel thread is
    /// listed in brackets (`[o2hb-8F1A3C5E7D]`) and keeps them.
    pub fn program(&self) -> &str {
        let first = self.command.split_whitespace().next().unwrap_or("");
        if first.starts_with('[') {
            return first;
        }
        first.rsplit('/').next().unwrap_or(first)
    }
}

/// The command column's names in procps (`COMMAND` for u/aux formats, `CMD` for
/// -f, `ARGS`/`COMMAND` for -o args).
const COMMAND_COLUMNS: &[&str] = &["COMMAND", "CMD", "ARGS"];

/// The processes of every listing in `text` (a pasted text may hold several,
/// each under its header), or an error naming the first line that is neither a
/// header nor a row its header describes. No header at all is an error too.
pub fn parse(text: &Text) -> Result<Vec<Process>, ParseError> {
    let err = |line: Option<u32>, m: String| ParseError::new(text.origin.clone(), line, m);
    let mut out = Vec::new();
    let mut layout: Option<(usize, usize, Option<usize>)> = None;
    for (line, raw) in super::pasted::iter(text) {
        let fields: Vec<&str> = raw.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        if let Some(l) = header(&fields) {
            layout = Some(l);
            continue;
        }
        let Some((columns, pid_at, state_at)) = layout else {
            return Err(err(
                Some(line),
                "a process row before any `ps` header".into(),
            ));
        };
        // The command is what follows the other columns' fields; a kernel
        // thread with an empty command line still has its [name].
        if fields.len() < columns {
            return Err(err(
                Some(line),
                format!(
                    "{} fields where the header has {columns} columns",
                    fields.len()
                ),
            ));
        }
        let Ok(pid) = fields[pid_at].parse::<u32>() else {
            return Err(err(
                Some(line),
                format!("PID `{}` is not a number", fields[pid_at]),
            ));
        };
        out.push(Process {
            pid,
            state: state_at.map(|i| fields[i].to_string()),
            command: fields[columns - 1..].join(" "),
            line,
        });
    }
    if layout.is_none() {
        return Err(err(
            None,
            "no `ps` header (a line with PID and COMMAND or CMD)".into(),
        ));
    }
    Ok(out)
}

/// A header line: (number of columns, PID's index, STAT/S index), when the
/// command column is the last and PID is among the others.
fn header(fields: &[&str]) -> Option<(usize, usize, Option<usize>)> {
    let last = fields.last()?;
    if !COMMAND_COLUMNS.contains(last) {
        return None;
    }
    let pid = fields.iter().position(|f| *f == "PID")?;
    let state = fields.iter().position(|f| *f == "STAT" || *f == "S");
    Some((fields.len(), pid, state))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(state: &str) -> Text {
        let path = format!(
            "{}/../fixtures/captures/lab-global/{state}/node2/ps-auxwww.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        Text::new("ps", std::fs::read_to_string(&path).expect(&path))
    }

    #[test]
    fn the_lab_nodes_ps_auxwww_lists_o2hbmonitor_and_the_heartbeat_thread() {
        let procs = parse(&lab("healthy")).unwrap();
        let mon = procs.iter().find(|p| p.program() == "o2hbmonitor").unwrap();
        assert_eq!(mon.state.as_deref(), Some("Ss"));
        assert!(procs.iter().any(|p| p.program().starts_with("[o2hb-")));
        // sshd's command line keeps its spaces.
        assert!(procs.iter().any(|p| p
            .command
            .starts_with("sshd: /usr/sbin/sshd -E /var/log/sshd.log")));
        let stopped = parse(&lab("o2hbmonitor-stopped")).unwrap();
        assert!(!stopped.iter().any(|p| p.program() == "o2hbmonitor"));
    }

    #[test]
    fn ps_ef_pasted_with_prompt_and_a_path_command() {
        // procps `ps -ef` columns (UID PID PPID C STIME TTY TIME CMD), built from
        // ps/output.c's headers: no STAT column.
        let t = Text::new(
            "p",
            "[root@n1 ~]# ps -ef | grep o2\nUID          PID    PPID  C STIME TTY          TIME CMD\nroot        2211       1  0 Nov30 ?        00:00:04 /usr/sbin/o2hbmonitor\n",
        );
        let procs = parse(&t).unwrap();
        assert_eq!(procs.len(), 1);
        assert_eq!((procs[0].pid, procs[0].program()), (2211, "o2hbmonitor"));
        assert_eq!(procs[0].state, None);
    }

    #[test]
    fn rows_without_a_header_short_rows_and_bad_pids_are_errors() {
        assert!(parse(&Text::new("p", "root 1 0.0 0.0 1 1 ? S 12:00 0:00 init\n")).is_err());
        let short = "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\nroot 1 0.0\n";
        assert_eq!(parse(&Text::new("p", short)).unwrap_err().line, Some(2));
        let bad = "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\nroot x 0.0 0.0 1 1 ? S 12:00 0:00 init\n";
        assert!(parse(&Text::new("p", bad))
            .unwrap_err()
            .message
            .contains("PID"));
        assert!(parse(&Text::new("p", "")).is_err());
    }
}
