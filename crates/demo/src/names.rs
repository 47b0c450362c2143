//! Chinese names: residents and staff, communities, districts, teams, and
//! the numerals they are written with.

use crate::rng::DemoRng;

/// Common surnames, weighted roughly by their frequency in Shandong.
#[rustfmt::skip]
const SURNAMES: &[(&str, u32)] = &[
    ("王", 720), ("张", 700), ("李", 680), ("刘", 520), ("陈", 250), ("杨", 220), ("赵", 200), ("孙", 160),
    ("徐", 120), ("周", 110), ("马", 110), ("高", 110), ("吴", 100), ("郭", 100), ("黄", 90), ("朱", 90), ("韩", 90),
    ("宋", 80), ("于", 80), ("胡", 70), ("董", 70), ("姜", 70), ("田", 60), ("曹", 60), ("崔", 60), ("何", 50),
    ("郑", 50), ("梁", 50), ("许", 50), ("冯", 50), ("杜", 50), ("魏", 50), ("吕", 50), ("丁", 50), ("任", 50),
    ("孟", 50), ("林", 40), ("罗", 40), ("谢", 40), ("唐", 40), ("程", 40), ("苏", 40), ("卢", 40), ("石", 40),
    ("贾", 40), ("付", 40), ("闫", 40), ("侯", 40), ("武", 40), ("孔", 40), ("袁", 30), ("潘", 30), ("蒋", 30),
    ("蔡", 30), ("姚", 30), ("范", 30), ("金", 30), ("白", 30), ("秦", 30), ("尹", 30), ("薛", 30), ("段", 30),
    ("史", 30), ("郝", 30), ("邵", 30), ("牛", 30), ("齐", 30), ("邓", 30), ("彭", 30), ("肖", 30), ("余", 20),
    ("叶", 20), ("沈", 20), ("钟", 20), ("谭", 20), ("陆", 20), ("汪", 20), ("夏", 20), ("方", 20), ("邹", 20),
    ("邱", 20), ("江", 20), ("雷", 20), ("陶", 20), ("贺", 20), ("毛", 20), ("万", 20), ("戴", 20), ("庞", 20),
    ("路", 20), ("岳", 20), ("耿", 20), ("房", 20), ("纪", 20), ("曾", 20), ("鞠", 10), ("刁", 10), ("亓", 10),
    ("满", 10), ("商", 10), ("宁", 10), ("钱", 10), ("严", 10), ("顾", 10), ("龙", 10), ("展", 5),
];

/// Characters of given names, common for men and for women.
#[rustfmt::skip]
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "军", "磊", "涛", "勇", "杰", "明", "亮", "刚", "建", "国", "华", "平", "辉", "波", "斌", "鹏", "超",
    "浩", "宇", "峰", "东", "海", "林", "志", "文", "兵", "龙", "庆", "春", "德", "福", "成", "忠", "新", "民", "胜",
    "利", "振", "学", "晓", "俊", "飞", "凯", "洋", "帅", "博", "广", "金", "永", "长", "树", "玉",
];
#[rustfmt::skip]
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "红", "玲", "梅", "莉", "萍", "秀", "兰", "英", "凤", "云",
    "洁", "琳", "雪", "慧", "颖", "倩", "婷", "欣", "佳", "悦", "彤", "丹", "蕾", "荣", "桂", "翠", "珍", "晓", "玉",
    "春", "美", "淑", "素", "爱", "雅",
];

/// A plausible full name: a weighted surname and a one- or two-character
/// given name.
pub(crate) fn person(rng: &mut DemoRng) -> String {
    let surname = rng.weighted(SURNAMES);
    let pool = if rng.chance(0.5) { GIVEN_MALE } else { GIVEN_FEMALE };
    let mut name = String::with_capacity(9);
    name.push_str(surname);
    name.push_str(rng.pick(pool));
    if rng.chance(0.72) {
        name.push_str(rng.pick(pool));
    }
    name
}

/// The community of the 28 October service event and the report's steward visit.
pub const XINLONG: &str = "鑫隆帝景城";
/// One of the six former direct-supply communities (直供直排小区) that joined the
/// service this season.
pub const HAOMEN: &str = "豪门庄园";
/// The school whose heat-exchange station the report visits on 30 October.
pub const SCHOOL_STATION: &str = "商河县实验中学换热站";

/// Old work-unit compounds (单位宿舍), typical of a county seat.
#[rustfmt::skip]
const COMPOUNDS: &[&str] = &[
    "粮食局宿舍", "供电公司宿舍", "教育局宿舍", "人民医院宿舍", "邮电局宿舍", "农机局宿舍", "县委宿舍",
    "实验中学宿舍", "水利局宿舍", "商业局宿舍", "棉纺厂宿舍", "建设银行宿舍",
];

#[rustfmt::skip]
const PREFIXES: &[&str] = &[
    "金色", "阳光", "翰林", "御景", "银河", "富康", "温泉", "明辉", "商中", "鼓楼", "彩虹", "怡景", "龙泉", "泰和",
    "嘉和", "盛世", "锦绣", "东方", "康馨", "福馨", "瑞丰", "永安", "丽景", "滨河", "沙河", "月亮湾", "书香", "紫薇",
    "凤凰", "颐和", "天成", "建邦", "财富", "新城", "清源", "玉泉", "德馨", "和谐", "幸福", "安居", "秀水", "铂悦",
    "水岸", "海棠", "丰泽", "祥和", "文昌", "许商", "玉皇", "富源", "惠民", "兴隆", "万豪", "天和", "吉祥", "鲁商",
    "银座", "恒泰", "润泽", "金鼎", "宏达", "城南", "城北", "府前", "花苑", "清华", "鹊山", "鸿福",
];
#[rustfmt::skip]
const SUFFIXES: &[&str] = &[
    "小区", "花园", "家园", "名苑", "嘉园", "华庭", "雅居", "公馆", "新村", "佳苑", "御府", "名都", "丽都", "府邸",
    "苑", "城", "里", "尚城", "观邸", "一品",
];
const PHASES: &[&str] = &["二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期"];

/// The next unused community name: work-unit compounds now and then,
/// otherwise a prefix and a suffix; a taken name gets a phase (二期 …).
pub(crate) fn community(rng: &mut DemoRng, taken: &mut std::collections::HashSet<String>) -> String {
    for _ in 0..64 {
        let base = if rng.chance(0.08) {
            rng.pick(COMPOUNDS).to_owned()
        } else {
            format!("{}{}", rng.pick(PREFIXES), rng.pick(SUFFIXES))
        };
        let candidates = std::iter::once(base.clone()).chain(PHASES.iter().map(|p| format!("{base}{p}")));
        if let Some(name) = candidates.into_iter().find(|n| !taken.contains(n)) {
            taken.insert(name.clone());
            return name;
        }
    }
    // Every draw was taken: number the next one, which cannot collide.
    let name = format!("{}{}{}号院", rng.pick(PREFIXES), rng.pick(SUFFIXES), taken.len() + 1);
    taken.insert(name.clone());
    name
}

/// A number written in Chinese, as in 一队, 十二片区, 一百零五片区.
pub fn zh_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n < 10 {
        return DIGITS[n].to_owned();
    }
    if n < 20 {
        return format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] });
    }
    let units = [(1000, "千"), (100, "百"), (10, "十")];
    let mut out = String::new();
    let mut rest = n % 10_000;
    let mut pending_zero = false;
    for (value, name) in units {
        let digit = rest / value;
        rest %= value;
        if digit == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        out.push_str(DIGITS[digit]);
        out.push_str(name);
    }
    if rest > 0 {
        if pending_zero {
            out.push('零');
        }
        out.push_str(DIGITS[rest]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    #[test]
    fn chinese_numerals() {
        let cases = [
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (21, "二十一"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (112, "一百一十二"),
            (200, "二百"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
        ];
        for (n, want) in cases {
            assert_eq!(zh_number(n), want, "{n}");
        }
    }

    #[test]
    fn person_names_have_two_or_three_characters() {
        let mut rng = DemoRng::new(3, Stream::Households);
        for _ in 0..500 {
            let n = person(&mut rng).chars().count();
            assert!((2..=3).contains(&n));
        }
    }

    #[test]
    fn community_names_never_repeat() {
        let mut rng = DemoRng::new(3, Stream::Ground);
        let mut taken = std::collections::HashSet::new();
        for _ in 0..5000 {
            community(&mut rng, &mut taken);
        }
        assert_eq!(taken.len(), 5000);
    }
}
