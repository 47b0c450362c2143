//! The public contact card: page, vCard (parsed back) and QR (decoded back).

use reqwest::StatusCode;

use crate::helpers::{code, spawn_app};

/// Unfolds a vCard and splits it into (name with parameters, value) lines.
fn parse_vcard(text: &str) -> Vec<(String, String)> {
    assert!(text.contains("\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF in the vCard");
    text.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn field<'a>(lines: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    lines.iter().filter(|(k, _)| k.split(';').next() == Some(name)).map(|(_, v)| v.as_str()).collect()
}

#[tokio::test]
async fn card_page_vcard_and_qr() {
    let app = spawn_app().await;
    let id = app.user("steward1");

    let res = app.client.get(app.url(&format!("/cards/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    let html = res.text().await.unwrap();
    for want in [
        "lang=\"zh-CN\"",
        "viewport",
        "王steward1",
        "供暖管家",
        "88812319",
        "半小时内",
        "SH-01 鑫隆片区",
        "tel:13900000004",
    ] {
        assert!(html.contains(want), "page lacks {want}");
    }

    let res = app.client.get(app.url(&format!("/cards/{id}.vcf"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/vcard; charset=utf-8");
    let vcf = res.text().await.unwrap();
    let lines = parse_vcard(&vcf);
    assert_eq!(lines.first().unwrap(), &("BEGIN".to_owned(), "VCARD".to_owned()));
    assert_eq!(lines.last().unwrap(), &("END".to_owned(), "VCARD".to_owned()));
    assert_eq!(field(&lines, "VERSION"), ["3.0"]);
    assert_eq!(field(&lines, "FN"), ["王steward1"]);
    assert_eq!(field(&lines, "N"), ["王;steward1;;;"]);
    assert_eq!(field(&lines, "TITLE"), ["供暖管家"]);
    assert_eq!(field(&lines, "ORG"), ["济南热力集团;商河供暖管家服务A队"]);
    assert_eq!(field(&lines, "TEL"), ["13900000004", "88812319"]);
    let note = field(&lines, "NOTE")[0];
    assert!(note.contains("88812319") && note.contains("半小时内到达"), "{note}");

    let res = app.client.get(app.url(&format!("/cards/{id}/qr.png"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    let png_bytes = res.bytes().await.unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes.to_vec()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, vcf);
}

#[tokio::test]
async fn cards_exist_only_for_stewards() {
    let app = spawn_app().await;
    let (status, body) = app.get(None, &format!("/cards/{}", app.user("hotline1"))).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, _) = app.get(None, &format!("/cards/{}.vcf", uuid::Uuid::now_v7())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.get(None, "/cards/nobody.vcf").await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_path"));
    let (status, _) = app.get(None, "/cards/nobody/qr.png").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
