//! The one W3C date parser: W3CDTF as EPUB wants it (`dc:date`, `dcterms:modified`), and the
//! dates static-site generators write (`2015-05-21 11:00:00 -0700`, TOML date-times), which
//! are normalised to W3CDTF.

/// A date as the author wrote it, normalised to W3CDTF; `None` if it is not a date.
///
/// W3CDTF is kept as written. Jekyll's and Hugo's `YYYY-MM-DD hh:mm[:ss] ±hhmm` and RFC 3339
/// forms (a space for the `T`, a zone without its colon, a zone left off) become
/// `YYYY-MM-DDThh:mm:ss±hh:mm`; a time without a zone is taken as UTC, the only reading
/// that does not depend on the machine.
pub fn normalize_date(text: &str) -> Option<String> {
    let text = text.trim();
    if !text.contains(char::is_whitespace) && parse_w3c_date(text).is_some() {
        return Some(text.to_string());
    }
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let rest = rest.trim();
    // The clock runs up to the zone: ` -0700`, `-07:00`, `+0100`, `Z`, ` UTC` or nothing.
    let clock_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(clock_end);
    let clock = match clock.split(':').count() {
        2 => format!("{clock}:00"),
        _ => clock.to_string(),
    };
    let zone = match zone.trim() {
        "" | "Z" | "z" | "UTC" | "GMT" => "Z".to_string(),
        zone => {
            let (sign, digits) = zone.split_at(1);
            if sign != "+" && sign != "-" {
                return None;
            }
            let digits = digits.replace(':', "");
            if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            format!("{sign}{}:{}", &digits[..2], &digits[2..])
        }
    };
    let normalized = format!("{date}T{clock}{zone}");
    parse_w3c_date(&normalized).map(|_| normalized)
}

/// Parses a W3CDTF date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or with `Thh:mm[:ss[.s]]` and a
/// zone) into (year, month, day, hour, minute, second) in UTC, checking each field's range.
pub fn parse_w3c_date(text: &str) -> Option<(i64, u32, u32, u32, u32, u32)> {
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year_text = parts.next()?;
    if year_text.len() != 4 || !year_text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let year: i64 = year_text.parse().ok()?;
    let number =
        |part: Option<&str>, range: std::ops::RangeInclusive<u32>| -> Option<Option<u32>> {
            match part {
                None => Some(None),
                Some(p) if p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()) => {
                    let n: u32 = p.parse().ok()?;
                    range.contains(&n).then_some(Some(n))
                }
                Some(_) => None,
            }
        };
    let month = number(parts.next(), 1..=12)?;
    let day = number(parts.next(), 1..=31)?;
    if parts.next().is_some() {
        return None;
    }
    if let (Some(m), Some(d)) = (month, day)
        && d > days_in_month(year, m)
    {
        return None;
    }
    let (mut hour, mut minute, mut second, mut offset_minutes) = (0u32, 0u32, 0u32, 0i64);
    if let Some(time) = time {
        day?;
        let (clock, zone) = split_zone(time)?;
        let mut fields = clock.split(':');
        hour = number(fields.next(), 0..=23)??;
        minute = number(fields.next(), 0..=59)??;
        if let Some(seconds) = fields.next() {
            let whole = seconds.split('.').next()?;
            second = number(Some(whole), 0..=60)??.min(59);
        }
        if fields.next().is_some() {
            return None;
        }
        offset_minutes = zone;
    }
    let mut utc = days_from_civil(year, month.unwrap_or(1), day.unwrap_or(1)) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second);
    utc -= offset_minutes * 60;
    let (y, mo, d, h, mi, s) = civil_from_timestamp(utc);
    Some((y, mo, d, h, mi, s))
}

/// Splits `hh:mm:ss+01:00` / `hh:mmZ` into the clock and the zone offset in minutes.
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let sign_at = time.rfind(['+', '-'])?;
    let (clock, zone) = time.split_at(sign_at);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let (h, m) = zone[1..].split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let hours: i64 = h.parse().ok()?;
    let minutes: i64 = m.parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some((clock, sign * (hours * 60 + minutes)))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// UTC calendar fields of a Unix timestamp.
pub fn civil_from_timestamp(timestamp: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = timestamp.div_euclid(86_400);
    let secs = timestamp.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (secs / 3600) as u32,
        (secs % 3600 / 60) as u32,
        (secs % 60) as u32,
    )
}

/// `dcterms:modified`: from `SOURCE_DATE_EPOCH`, else `modified`, else `date`, else a fixed
/// instant — never the clock, so that the same sources always give the same EPUB.
pub(super) fn modified_timestamp(
    epoch: Option<i64>,
    modified: Option<&str>,
    date: Option<&str>,
) -> String {
    let fields = epoch
        .map(civil_from_timestamp)
        .or_else(|| modified.and_then(parse_w3c_date))
        .or_else(|| date.and_then(parse_w3c_date))
        .unwrap_or((2000, 1, 1, 0, 0, 0));
    let (y, mo, d, h, mi, s) = fields;
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_and_normalized_to_utc() {
        assert_eq!(parse_w3c_date("2016"), Some((2016, 1, 1, 0, 0, 0)));
        assert_eq!(parse_w3c_date("2024-02-29"), Some((2024, 2, 29, 0, 0, 0)));
        assert_eq!(parse_w3c_date("2023-02-29"), None);
        assert_eq!(
            parse_w3c_date("2016-05-03T23:30:00-01:00"),
            Some((2016, 5, 4, 0, 30, 0))
        );
        assert_eq!(parse_w3c_date("2016-5-3"), None);
        assert_eq!(parse_w3c_date("yesterday"), None);
    }

    #[test]
    fn generator_dates_become_w3cdtf() {
        for (written, expected) in [
            ("2016-05-03", "2016-05-03"),
            ("2015-05-21 11:00:00 -0700", "2015-05-21T11:00:00-07:00"),
            ("2015-05-21 11:00 +0100", "2015-05-21T11:00:00+01:00"),
            ("2015-05-21 11:00:00", "2015-05-21T11:00:00Z"),
            ("1979-05-27T07:32:00-08:00", "1979-05-27T07:32:00-08:00"),
            ("1979-05-27T07:32:00.999", "1979-05-27T07:32:00.999Z"),
            ("2020-01-02T03:04:05+0530", "2020-01-02T03:04:05+05:30"),
        ] {
            assert_eq!(
                normalize_date(written).as_deref(),
                Some(expected),
                "{written}"
            );
        }
        for bad in [
            "yesterday",
            "2015-13-01 10:00",
            "2015-05-21 25:00:00",
            "2015-05-21 10:00 +7",
        ] {
            assert_eq!(normalize_date(bad), None, "{bad}");
        }
    }
}
