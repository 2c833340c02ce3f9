//! How numbers read on screen.

/// "4:05", "1:02:03".
pub fn duration(ms: i64) -> String {
    let total = (ms.max(0) + 500) / 1000;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// "12.3 MiB/s": the same binary units as sizes ("42 MiB"), so the two can be compared.
pub fn speed(bytes_per_sec: f64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes_per_sec >= MIB {
        format!("{:.1} MiB/s", bytes_per_sec / MIB)
    } else {
        format!("{:.0} KiB/s", bytes_per_sec / 1024.0)
    }
}

/// "14:03:12": a moment today, in the browser's locale (when the next retry starts).
pub fn clock(epoch_ms: f64) -> String {
    js_sys::Date::new(&epoch_ms.into())
        .to_locale_time_string("default")
        .into()
}

/// "about 3 min left", "12 s left".
pub fn time_left(secs: f64) -> String {
    if secs >= 90.0 {
        format!("about {} min left", (secs / 60.0).round())
    } else {
        format!("{} s left", secs.ceil().max(1.0))
    }
}

/// "1 video", "3 videos".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "Nov 24, 2026" from RFC 3339, in the browser's locale.
pub fn date(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&rfc3339.into());
    let options = js_sys::Object::new();
    for (k, v) in [("year", "numeric"), ("month", "short"), ("day", "numeric")] {
        let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
    }
    date.to_locale_date_string("default", &options).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_player_shows_them() {
        assert_eq!(duration(2000), "0:02");
        assert_eq!(duration(245_000), "4:05");
        assert_eq!(duration(3_723_000), "1:02:03");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "video"), "1 video");
        assert_eq!(count(0, "video"), "0 videos");
        assert_eq!(count(12, "video"), "12 videos");
    }

    #[test]
    fn speed_and_time_left_are_rounded_for_people() {
        assert_eq!(speed(12.3 * 1048576.0), "12.3 MiB/s");
        assert_eq!(speed(512.0 * 1024.0), "512 KiB/s");
        assert_eq!(time_left(12.2), "13 s left");
        assert_eq!(time_left(200.0), "about 3 min left");
    }
}
