//! vCard 3.0 (RFC 2426) text for a steward's contact card (管家名片).
//!
//! Pure and free of I/O; it belongs in the domain crate and lives here only
//! until it moves there.

use steward_domain::org::HOTLINE;

/// What the card says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactCard {
    /// The name as written, e.g. `王建国`.
    pub full_name: String,
    pub mobile: Option<String>,
    /// The organisation's units, outermost first: utility, team.
    pub org: Vec<String>,
    /// The steward's districts, e.g. `SH-01 鑫隆片区`.
    pub districts: Vec<String>,
}

/// The job title printed on every card.
pub const TITLE: &str = "供暖管家";

/// Two-character Chinese surnames; any other name takes its first character
/// as the surname.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
    "端木",
];

/// Splits a Chinese name into (family, given).
pub fn split_name(full: &str) -> (String, String) {
    let full = full.trim();
    if let Some(s) = COMPOUND_SURNAMES.iter().find(|s| full.starts_with(**s) && full.len() > s.len()) {
        return (s.to_string(), full[s.len()..].to_owned());
    }
    let mut chars = full.chars();
    match chars.next() {
        Some(first) if !first.is_ascii() => (first.to_string(), chars.collect()),
        // A name in Latin letters: the last word is the family name.
        _ => match full.rsplit_once(' ') {
            Some((given, family)) => (family.to_owned(), given.to_owned()),
            None => (full.to_owned(), String::new()),
        },
    }
}

/// Escapes a text value: backslash, comma, semicolon and newlines.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a UTF-8 character;
/// continuation lines start with one space.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

/// The note: districts, the 24-hour hotline and the 30-minute promise.
pub fn note(card: &ContactCard) -> String {
    let mut note = String::new();
    if !card.districts.is_empty() {
        note.push_str(&format!("服务片区：{}\n", card.districts.join("、")));
    }
    note.push_str(&format!("24小时供热服务热线：{HOTLINE}\n一旦用户反映问题，半小时内到达用户现场。"));
    note
}

/// The vCard 3.0 text, lines ending in CRLF.
pub fn to_vcard(card: &ContactCard) -> String {
    let (family, given) = split_name(&card.full_name);
    let mut lines = vec![
        "BEGIN:VCARD".to_owned(),
        "VERSION:3.0".to_owned(),
        format!("N;CHARSET=UTF-8:{};{};;;", escape(&family), escape(&given)),
        format!("FN;CHARSET=UTF-8:{}", escape(&card.full_name)),
    ];
    if !card.org.is_empty() {
        let org: Vec<String> = card.org.iter().map(|o| escape(o)).collect();
        lines.push(format!("ORG;CHARSET=UTF-8:{}", org.join(";")));
    }
    lines.push(format!("TITLE;CHARSET=UTF-8:{TITLE}"));
    if let Some(mobile) = &card.mobile {
        lines.push(format!("TEL;TYPE=CELL,VOICE:{}", escape(mobile)));
    }
    lines.push(format!("TEL;TYPE=WORK,VOICE:{HOTLINE}"));
    lines.push(format!("NOTE;CHARSET=UTF-8:{}", escape(&note(card))));
    lines.push("END:VCARD".to_owned());
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> ContactCard {
        ContactCard {
            full_name: "王建国".into(),
            mobile: Some("13812345678".into()),
            org: vec!["济南热力集团".into(), "商河供暖管家服务队; 一队".into()],
            districts: vec!["SH-01 鑫隆帝景城片区".into()],
        }
    }

    #[test]
    fn lines_end_in_crlf_and_fold_within_75_octets() {
        let text = to_vcard(&card());
        assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"));
        assert!(text.ends_with("END:VCARD\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
            assert!(!line.contains('\n'));
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("N;CHARSET=UTF-8:王;建国;;;\r\n"));
        assert!(unfolded.contains("TITLE;CHARSET=UTF-8:供暖管家\r\n"));
        assert!(unfolded.contains("ORG;CHARSET=UTF-8:济南热力集团;商河供暖管家服务队\\; 一队\r\n"));
        assert!(unfolded.contains("88812319"));
        assert!(unfolded.contains("半小时内到达"));
    }

    #[test]
    fn escaping_and_names() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(split_name("欧阳修"), ("欧阳".into(), "修".into()));
        assert_eq!(split_name("李娜"), ("李".into(), "娜".into()));
        assert_eq!(split_name("Ada Lovelace"), ("Lovelace".into(), "Ada".into()));
    }
}
