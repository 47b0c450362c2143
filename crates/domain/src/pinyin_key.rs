//! Search keys from Chinese text: the pinyin initials of names, so that a
//! steward can type `xldjc` to find 鑫隆帝景城.

use pinyin::ToPinyin;

/// The first letters of each character's pinyin, lower-case. ASCII letters
/// and digits are kept (lower-cased); everything else is dropped.
pub fn initials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (ch, py) in text.chars().zip(text.to_pinyin()) {
        match py {
            Some(p) => out.push_str(p.first_letter()),
            None if ch.is_ascii_alphanumeric() => out.push(ch.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

/// The full toneless pinyin of each character, joined without spaces.
pub fn full(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for (ch, py) in text.chars().zip(text.to_pinyin()) {
        match py {
            Some(p) => out.push_str(p.plain()),
            None if ch.is_ascii_alphanumeric() => out.push(ch.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_community_and_names() {
        assert_eq!(initials("鑫隆帝景城"), "xldjc");
        assert_eq!(initials("豪门庄园"), "hmzy");
        assert_eq!(initials("王小芳"), "wxf");
        assert_eq!(initials("1号楼"), "1hl");
        assert_eq!(full("豪门庄园"), "haomenzhuangyuan");
    }
}
