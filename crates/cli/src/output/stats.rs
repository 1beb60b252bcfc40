//! `stats --no-stream` and `top` tables, as podman 4.3.1 prints them
//! (checked live): `ID NAME CPU % MEM USAGE / LIMIT MEM % NET IO BLOCK IO
//! PIDS CPU TIME AVG CPU %` and `USER PID PPID %CPU ELAPSED TTY TIME
//! COMMAND`. Sizes here are go-units' `HumanSize` (four significant
//! digits, no space: `1.234MB`, `0B`); durations are Go's (`1.5s`, `2m3s`).

use super::format::Listing;
use super::human::{decimal_units, short_id, significant, trim_fraction_zeros};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::time::Duration;

/// `stats`.
pub const STATS: Listing = Listing {
    default_template: "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}\t{{.CPU}}\t{{.AVGCPU}}",
    headers: &[
        ("CPUPerc", "CPU %"),
        ("MemUsage", "MEM USAGE / LIMIT"),
        ("MemPerc", "MEM %"),
        ("NetIO", "NET IO"),
        ("BlockIO", "BLOCK IO"),
        ("PIDs", "PIDS"),
        ("CPU", "CPU TIME"),
        ("AVGCPU", "AVG CPU %"),
    ],
};

/// `pod stats` (podman's `PodStatsReport` fields).
pub const POD_STATS: Listing = Listing {
    default_template: "{{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.CPU}}\t{{.MemUsage}}\t{{.Mem}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}",
    headers: &[
        ("Pod", "POD"),
        ("CID", "CID"),
        ("CPU", "CPU %"),
        ("MemUsage", "MEM USAGE/ LIMIT"),
        ("MemUsageBytes", "MEM USAGE/ LIMIT"),
        ("Mem", "MEM %"),
        ("NetIO", "NET IO"),
        ("BlockIO", "BLOCK IO"),
        ("PIDS", "PIDS"),
    ],
};

/// `top`.
pub const TOP: Listing = Listing {
    default_template:
        "{{.User}}\t{{.PID}}\t{{.PPID}}\t{{.CPU}}\t{{.Elapsed}}\t{{.TTY}}\t{{.Time}}\t{{.Command}}",
    headers: &[("CPU", "%CPU")],
};

/// One container's resource use.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsSummary {
    /// Full ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// CPU use since the last sample, percent of one CPU.
    pub cpu_percent: f64,
    /// Average CPU use over the container's life, percent.
    pub avg_cpu_percent: f64,
    /// CPU time used.
    pub cpu_time: Duration,
    /// Memory in use, bytes.
    pub mem_usage: u64,
    /// Memory limit, bytes (0: none known).
    pub mem_limit: u64,
    /// Network bytes received and sent.
    pub net_io: (u64, u64),
    /// Block bytes read and written.
    pub block_io: (u64, u64),
    /// Processes.
    pub pids: u64,
}

fn percent(v: f64) -> String {
    format!("{v:.2}%")
}

impl StatsSummary {
    fn mem_percent(&self) -> f64 {
        if self.mem_limit == 0 {
            0.0
        } else {
            self.mem_usage as f64 * 100.0 / self.mem_limit as f64
        }
    }

    /// The fields `--format` templates see.
    pub fn template_row(&self, no_trunc: bool) -> Value {
        json!({
            "ID": if no_trunc { &self.id } else { short_id(&self.id) },
            "Name": self.name,
            "CPUPerc": percent(self.cpu_percent),
            "MemUsage": format!("{} / {}", compact_size(self.mem_usage), compact_size(self.mem_limit)),
            "MemPerc": percent(self.mem_percent()),
            "NetIO": format!("{} / {}", compact_size(self.net_io.0), compact_size(self.net_io.1)),
            "BlockIO": format!("{} / {}", compact_size(self.block_io.0), compact_size(self.block_io.1)),
            "PIDs": self.pids.to_string(),
            "CPU": go_duration(self.cpu_time),
            "AVGCPU": percent(self.avg_cpu_percent),
        })
    }

    /// The object `stats --format json` prints.
    pub fn json(&self) -> Value {
        let r = self.template_row(false);
        json!({
            "id": r["ID"], "name": r["Name"], "cpu_time": r["CPU"], "cpu_percent": r["CPUPerc"],
            "avg_cpu": r["AVGCPU"], "mem_usage": r["MemUsage"], "mem_percent": r["MemPerc"],
            "net_io": r["NetIO"], "block_io": r["BlockIO"], "pids": r["PIDs"],
        })
    }
}

impl StatsSummary {
    /// A `pod stats` row of this container of `pod`: podman's
    /// `PodStatsReport`, its `--format json` object too.
    pub fn pod_row(&self, pod: &str) -> Value {
        let pair = |a: u64, b: u64, f: fn(u64) -> String| {
            if a == 0 && b == 0 {
                "-- / --".to_owned()
            } else {
                format!("{} / {}", f(a), f(b))
            }
        };
        json!({
            "CPU": percent(self.cpu_percent),
            "MemUsage": pair(self.mem_usage, self.mem_limit, compact_size),
            "MemUsageBytes": pair(self.mem_usage, self.mem_limit, binary_size),
            "Mem": percent(self.mem_percent()),
            "NetIO": pair(self.net_io.0, self.net_io.1, compact_size),
            "BlockIO": pair(self.block_io.0, self.block_io.1, compact_size),
            "PIDS": self.pids.to_string(),
            "CID": short_id(&self.id),
            "Name": self.name,
            "Pod": short_id(pod),
        })
    }
}

/// go-units' `BytesSize`: binary units, four significant digits, no
/// space (`0B`, `1.5MiB`).
pub fn binary_size(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit < UNITS.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    format!("{}{}", significant(size, 4), UNITS[unit])
}

/// go-units' `HumanSize`: decimal units, four significant digits, no
/// space (`0B`, `1.234MB`, `12.5kB`).
pub fn compact_size(bytes: u64) -> String {
    let (size, unit) = decimal_units(bytes);
    format!("{}{unit}", significant(size, 4))
}

/// Go's `time.Duration.String()`: `0s`, `250ms`, `1.5s`, `2m3s`,
/// `1h0m5s`.
pub fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return trim_fraction(nanos as f64 / 1e3, "µs");
    }
    if nanos < 1_000_000_000 {
        return trim_fraction(nanos as f64 / 1e6, "ms");
    }
    let total_secs = d.as_secs();
    let (h, m) = (total_secs / 3600, (total_secs / 60) % 60);
    let secs = (total_secs % 60) as f64 + f64::from(d.subsec_nanos()) / 1e9;
    let mut out = String::new();
    if h > 0 {
        let _ = write!(out, "{h}h");
    }
    if h > 0 || m > 0 {
        let _ = write!(out, "{m}m");
    }
    out.push_str(&trim_fraction(secs, "s"));
    out
}

fn trim_fraction(v: f64, unit: &str) -> String {
    let mut s = format!("{v:.9}");
    trim_fraction_zeros(&mut s);
    format!("{s}{unit}")
}

/// One process of `top`.
#[derive(Debug, Clone, PartialEq)]
pub struct TopSummary {
    /// User name or UID.
    pub user: String,
    /// PID inside the container.
    pub pid: i32,
    /// Parent PID inside the container.
    pub ppid: i32,
    /// CPU percent.
    pub cpu: f64,
    /// Time since it started.
    pub elapsed: Duration,
    /// Its terminal, `?` for none.
    pub tty: String,
    /// CPU time used.
    pub time: Duration,
    /// Command line.
    pub command: String,
}

impl TopSummary {
    /// The fields `--format` templates see.
    pub fn template_row(&self) -> Value {
        json!({
            "User": self.user,
            "PID": self.pid.to_string(),
            "PPID": self.ppid.to_string(),
            "CPU": format!("{:.3}", self.cpu),
            "Elapsed": go_duration(self.elapsed),
            "TTY": self.tty,
            "Time": go_duration(self.time),
            "Command": self.command,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::format::{parse_format, render_listing};

    #[test]
    fn stats_table_matches_podman() {
        let s = StatsSummary {
            id: "0f6add0e560c373069c05f65".into(),
            name: "cr".into(),
            cpu_percent: 0.0,
            avg_cpu_percent: 0.0,
            cpu_time: Duration::ZERO,
            mem_usage: 0,
            mem_limit: 0,
            net_io: (0, 0),
            block_io: (0, 0),
            pids: 0,
        };
        let out = render_listing(
            &parse_format("--format", None).unwrap(),
            &STATS,
            &[s.template_row(false)],
            &[],
            false,
        )
        .unwrap();
        assert_eq!(
            out,
            "ID            NAME        CPU %       MEM USAGE / LIMIT  MEM %       NET IO      BLOCK IO    PIDS        CPU TIME    AVG CPU %\n\
             0f6add0e560c  cr          0.00%       0B / 0B            0.00%       0B / 0B     0B / 0B     0           0s          0.00%\n"
        );
        assert_eq!(s.json()["mem_usage"], "0B / 0B");
        let busy = StatsSummary {
            mem_usage: 1_234_567,
            mem_limit: 4_000_000_000,
            cpu_percent: 12.345,
            ..s
        };
        let r = busy.template_row(false);
        assert_eq!(r["MemUsage"], "1.235MB / 4GB");
        assert_eq!(r["MemPerc"], "0.03%");
        assert_eq!(r["CPUPerc"], "12.35%");
    }

    #[test]
    fn top_table_matches_podman() {
        let t = TopSummary {
            user: "0".into(),
            pid: 1,
            ppid: 0,
            cpu: 0.0,
            elapsed: Duration::from_nanos(1_076_664_145),
            tty: "?".into(),
            time: Duration::ZERO,
            command: "sleep 300".into(),
        };
        let out = render_listing(
            &parse_format("--format", None).unwrap(),
            &TOP,
            &[t.template_row()],
            &[],
            false,
        )
        .unwrap();
        assert_eq!(
            out,
            "USER        PID         PPID        %CPU        ELAPSED       TTY         TIME        COMMAND\n\
             0           1           0           0.000       1.076664145s  ?           0s          sleep 300\n"
        );
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_nanos(500)), "500ns");
        assert_eq!(go_duration(Duration::from_micros(15)), "15µs");
        assert_eq!(go_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_secs(123)), "2m3s");
        assert_eq!(go_duration(Duration::from_secs(3605)), "1h0m5s");
    }

    #[test]
    fn compact_sizes() {
        assert_eq!(compact_size(0), "0B");
        assert_eq!(compact_size(999), "999B");
        assert_eq!(compact_size(12_500), "12.5kB");
        assert_eq!(compact_size(1_234_567), "1.235MB");
        assert_eq!(compact_size(4_000_000_000), "4GB");
    }

    #[test]
    fn binary_sizes() {
        assert_eq!(binary_size(0), "0B");
        assert_eq!(binary_size(1536), "1.5KiB");
        assert_eq!(binary_size(3 * 1024 * 1024), "3MiB");
    }

    #[test]
    fn pod_stats_rows_are_podmans_report() {
        let s = StatsSummary {
            id: "0f6add0e560c373069c05f65".into(),
            name: "m1".into(),
            cpu_percent: 1.5,
            avg_cpu_percent: 0.0,
            cpu_time: Duration::ZERO,
            mem_usage: 1_000_000,
            mem_limit: 4_000_000,
            net_io: (0, 0),
            block_io: (0, 0),
            pids: 2,
        };
        let r = s.pod_row("aaaabbbbccccdddd");
        assert_eq!(r["Pod"], "aaaabbbbcccc");
        assert_eq!(r["CID"], "0f6add0e560c");
        assert_eq!(r["CPU"], "1.50%");
        assert_eq!(r["MemUsage"], "1MB / 4MB");
        assert_eq!(r["Mem"], "25.00%");
        assert_eq!(r["NetIO"], "-- / --");
        assert_eq!(r["PIDS"], "2");
        let t = parse_format("--format", None).unwrap();
        let rows = [r];
        let out = render_listing(&t, &POD_STATS, &rows, &rows, false).unwrap();
        let head = out.lines().next().unwrap().to_owned();
        for col in [
            "POD",
            "CID",
            "NAME",
            "CPU %",
            "MEM USAGE/ LIMIT",
            "MEM %",
            "PIDS",
        ] {
            assert!(head.contains(col), "{col}: {out}");
        }
    }
}
