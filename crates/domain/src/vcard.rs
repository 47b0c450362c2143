//! The steward's contact card (管家名片) as a vCard 3.0 (RFC 2426) text,
//! behind the QR code residents scan into their phone's contacts.
//!
//! Text values are escaped (`\\`, `\,`, `\;`, `\n`), lines end in CRLF, and
//! lines longer than 75 octets are folded with CRLF and a space. Folding
//! counts UTF-8 octets and never splits a character, so every physical line
//! is valid UTF-8 on its own.

use serde::{Deserialize, Serialize};

use crate::ground::{FieldError, PhoneNumber, required_text};
use crate::org::HOTLINE;

/// The title printed on every card.
pub const CARD_TITLE: &str = "供暖管家";

/// The response promise printed on every card.
pub const RESPONSE_PROMISE: &str = "一旦您反映问题，我们半小时内到达现场";

/// A physical line holds at most this many octets, excluding its CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// Two-character family names (复姓); a name of three or more characters
/// starting with one of these keeps both characters as the family name.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "司空", "夏侯",
    "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "呼延", "万俟", "澹台", "公冶", "闻人", "赫连", "申屠",
    "太史", "濮阳", "淳于", "单于", "拓跋", "百里", "东郭", "第五", "左丘", "宗政", "仲孙", "巫马", "公羊", "谷梁",
];

/// What the card says about its steward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactCard {
    pub display_name: String,
    pub mobile: PhoneNumber,
    /// The steward team (供暖管家服务队).
    pub team: String,
    /// The service centre (供热服务中心).
    pub centre: String,
    /// The utility (热力集团).
    pub utility: String,
    /// 工号.
    pub employee_no: String,
    /// The districts (片区) the steward is responsible for.
    pub districts: Vec<String>,
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3134f}')
}

/// Splits a name into (family, given) for the `N` property.
///
/// A name written in Han characters has its family name first: one
/// character, or two for a compound surname such as 欧阳 when the name has at
/// least three characters. Any other name (a transliterated minority name
/// such as 买买提·艾力, or Latin script) has no family name we can find
/// without guessing, so it is all given name.
pub fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    if name.is_empty() || !name.chars().all(is_han) {
        return (String::new(), name.to_owned());
    }
    let family_chars = match COMPOUND_SURNAMES.iter().find(|s| name.starts_with(*s)) {
        Some(_) if name.chars().count() >= 3 => 2,
        _ => 1,
    };
    let cut = name.char_indices().nth(family_chars).map_or(name.len(), |(i, _)| i);
    (name[..cut].to_owned(), name[cut..].to_owned())
}

/// Escapes a text value: backslash, comma, semicolon and line breaks.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets, with its CRLF.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// The card as vCard 3.0 text. The display name must not be blank.
pub fn to_vcard(card: &ContactCard) -> Result<String, FieldError> {
    let display_name = required_text("display_name", &card.display_name, 64)?;
    let (family, given) = split_name(&display_name);
    let org = [&card.utility, &card.centre, &card.team].map(|s| escape_text(s.trim())).join(";");
    let mut note = format!("24小时供暖服务热线：{HOTLINE}。{RESPONSE_PROMISE}。");
    if !card.employee_no.trim().is_empty() {
        note.push_str(&format!("工号：{}。", card.employee_no.trim()));
    }
    let districts: Vec<&str> = card.districts.iter().map(|d| d.trim()).filter(|d| !d.is_empty()).collect();
    if !districts.is_empty() {
        note.push_str(&format!("负责片区：{}。", districts.join("、")));
    }
    let lines = [
        "BEGIN:VCARD".to_owned(),
        "VERSION:3.0".to_owned(),
        format!("N:{};{};;;", escape_text(&family), escape_text(&given)),
        format!("FN:{}", escape_text(&display_name)),
        format!("ORG:{org}"),
        format!("TITLE:{CARD_TITLE}"),
        format!("TEL;TYPE=CELL:{}", card.mobile),
        format!("NOTE:{}", escape_text(&note)),
        "END:VCARD".to_owned(),
    ];
    let mut out = String::new();
    for line in &lines {
        push_folded(&mut out, line);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny reader for what `to_vcard` writes: unfolds, then splits each
    /// line into its name (with parameters) and its components, unescaped.
    fn parse(text: &str) -> Vec<(String, Vec<String>)> {
        assert!(text.ends_with("\r\n"));
        let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
        unfolded
            .trim_end_matches("\r\n")
            .split("\r\n")
            .map(|line| {
                let (name, value) = line.split_once(':').expect("a content line has a colon");
                let mut parts = vec![String::new()];
                let mut chars = value.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => match chars.next() {
                            Some('n' | 'N') => parts.last_mut().unwrap().push('\n'),
                            Some(e) => parts.last_mut().unwrap().push(e),
                            None => panic!("dangling backslash in {line:?}"),
                        },
                        ';' => parts.push(String::new()),
                        c => parts.last_mut().unwrap().push(c),
                    }
                }
                (name.to_owned(), parts)
            })
            .collect()
    }

    fn card() -> ContactCard {
        ContactCard {
            display_name: "王小明".into(),
            mobile: PhoneNumber::parse("13812345678").unwrap(),
            team: "供暖管家服务队一队".into(),
            centre: "商河供热服务中心".into(),
            utility: "济南热力集团".into(),
            employee_no: "SH-0042".into(),
            districts: vec!["鑫隆帝景城片区".into(), "豪门庄园片区".into()],
        }
    }

    fn get<'a>(props: &'a [(String, Vec<String>)], name: &str) -> &'a [String] {
        &props.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}")).1
    }

    #[test]
    fn name_split_table() {
        let cases = [
            ("张三", "张", "三"),
            ("王小明", "王", "小明"),
            ("欧阳娜娜", "欧阳", "娜娜"),
            ("司马光", "司马", "光"),
            ("诸葛亮", "诸葛", "亮"),
            ("上官婉儿", "上官", "婉儿"),
            ("东方明", "东方", "明"),
            // Two characters only: 东 is the family name and 方 the given name.
            ("东方", "东", "方"),
            ("李", "李", ""),
            (" 刘德华 ", "刘", "德华"),
            ("买买提·艾力", "", "买买提·艾力"),
            ("Zhang Wei", "", "Zhang Wei"),
        ];
        for (name, family, given) in cases {
            assert_eq!(split_name(name), (family.to_owned(), given.to_owned()), "{name}");
        }
    }

    #[test]
    fn escaping_table() {
        let cases = [
            ("plain 文本", "plain 文本"),
            ("a,b", "a\\,b"),
            ("a;b", "a\\;b"),
            ("C:\\path", "C:\\\\path"),
            ("line\nnext", "line\\nnext"),
            ("crlf\r\nnext", "crlf\\nnext"),
            ("全角，；不转义", "全角，；不转义"),
        ];
        for (raw, escaped) in cases {
            assert_eq!(escape_text(raw), escaped, "{raw:?}");
        }
    }

    #[test]
    fn card_parses_back() {
        let text = to_vcard(&card()).unwrap();
        assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"));
        assert!(text.ends_with("END:VCARD\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "no bare line feeds");
        let props = parse(&text);
        assert_eq!(get(&props, "N"), ["王", "小明", "", "", ""]);
        assert_eq!(get(&props, "FN"), ["王小明"]);
        assert_eq!(get(&props, "ORG"), ["济南热力集团", "商河供热服务中心", "供暖管家服务队一队"]);
        assert_eq!(get(&props, "TITLE"), ["供暖管家"]);
        assert_eq!(get(&props, "TEL;TYPE=CELL"), ["13812345678"]);
        let note = &get(&props, "NOTE")[0];
        assert_eq!(
            note,
            "24小时供暖服务热线：88812319。一旦您反映问题，我们半小时内到达现场。工号：SH-0042。负责片区：鑫隆帝景城片区、豪门庄园片区。"
        );
        assert_eq!(props.len(), 9);
    }

    #[test]
    fn special_characters_survive_the_round_trip() {
        let mut c = card();
        c.display_name = "欧阳娜娜".into();
        c.team = "一队; 二队, 联合\\值班".into();
        c.districts = vec!["A,区".into(), "B;区\n(新)".into(), "  ".into()];
        let props = parse(&to_vcard(&c).unwrap());
        assert_eq!(get(&props, "N")[..2], ["欧阳", "娜娜"]);
        assert_eq!(get(&props, "ORG")[2], "一队; 二队, 联合\\值班");
        assert!(get(&props, "NOTE")[0].ends_with("负责片区：A,区、B;区\n(新)。"));
        c.display_name = "  ".into();
        assert!(to_vcard(&c).is_err());
    }

    #[test]
    fn folding_keeps_lines_short_and_utf8_whole() {
        // Enough districts to fold the note several times, with ASCII padding
        // of every length so the 75-octet boundary falls inside a
        // three-octet character at least once.
        let mut short_folds = 0;
        for pad in 0..3 {
            let mut c = card();
            c.employee_no = "X".repeat(pad + 1);
            c.districts = (1..=12).map(|i| format!("第{i}片区")).collect();
            let text = to_vcard(&c).unwrap();
            let bytes = text.as_bytes();
            let mut lines = Vec::new();
            let mut start = 0;
            while let Some(i) = bytes[start..].windows(2).position(|w| w == b"\r\n") {
                lines.push(&bytes[start..start + i]);
                start += i + 2;
            }
            assert_eq!(start, bytes.len());
            assert!(lines.iter().filter(|l| l.first() == Some(&b' ')).count() >= 3, "the note folds");
            for line in &lines {
                assert!(line.len() <= MAX_LINE_OCTETS, "{} octets: {:?}", line.len(), String::from_utf8_lossy(line));
                assert!(std::str::from_utf8(line).is_ok(), "a physical line splits a character");
            }
            // A folded line shorter than 75 octets is one whose next character did not fit.
            short_folds +=
                lines.windows(2).filter(|w| w[1].first() == Some(&b' ') && w[0].len() < MAX_LINE_OCTETS).count();
            let props = parse(&text);
            let note = &get(&props, "NOTE")[0];
            assert!(note.ends_with("负责片区：第1片区、第2片区、第3片区、第4片区、第5片区、第6片区、第7片区、第8片区、第9片区、第10片区、第11片区、第12片区。"));
        }
        assert!(short_folds > 0, "some fold fell where a character would have been split");
        let mut folded = String::new();
        push_folded(&mut folded, &"a".repeat(150));
        assert_eq!(folded, format!("{}\r\n {}\r\n {}\r\n", "a".repeat(75), "a".repeat(74), "a"));
    }
}
