//! Where a benchmark's CPU time went: the servers, PostgreSQL's processes and the bench itself,
//! read from `/proc` before and after (Linux only; zeros elsewhere).

/// CPU seconds so far of the servers, of every `postgres` process, and of this process.
#[derive(Clone, Copy, Default)]
pub struct Cpu {
    pub servers: f64,
    pub postgres: f64,
    pub client: f64,
}

/// utime + stime of one process (all its threads), in seconds.
fn seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // The command name may hold spaces: the fields after it start past the last ')'.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    ticks / 100.0 // USER_HZ is 100 on Linux
}

/// Reads the counters now; `servers` are the server processes' IDs.
pub fn now(servers: &[u32]) -> Cpu {
    let postgres = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "postgres")
        })
        .map(|e| seconds(&e.file_name().to_string_lossy()))
        .sum();
    Cpu {
        servers: servers.iter().map(|p| seconds(&p.to_string())).sum(),
        postgres,
        client: seconds("self"),
    }
}

impl Cpu {
    /// Milliseconds of CPU per operation between `self` (before) and `after`.
    pub fn per_op_ms(&self, after: &Cpu, ops: usize) -> Cpu {
        let per = |a: f64, b: f64| (b - a).max(0.0) * 1000.0 / ops.max(1) as f64;
        Cpu {
            servers: per(self.servers, after.servers),
            postgres: per(self.postgres, after.postgres),
            client: per(self.client, after.client),
        }
    }

    /// "reel 0.4 ms, PostgreSQL 1.2 ms, client 0.1 ms".
    pub fn describe(&self) -> String {
        format!(
            "CPU per delete: Reel {:.2} ms, PostgreSQL {:.2} ms, client {:.2} ms",
            self.servers, self.postgres, self.client
        )
    }
}
