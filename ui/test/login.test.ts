import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { createLoginScreen } from "../src/login";

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => document.body.replaceChildren());

describe("sign-in screen", () => {
  it("signs in with the username and password typed, and says why not", async () => {
    const tried: string[] = [];
    const done: string[] = [];
    const screen = createLoginScreen({
      central: "http://127.0.0.1:8787",
      done: (s) => done.push(s.username),
      send: async (u, p) => {
        tried.push(`${u}/${p}`);
        if (p !== "heat-demo") throw { code: "bad_credentials", message: "unauthorized" };
        return { username: u, display_name: "王小明", central: "http://127.0.0.1:8787" };
      },
    });
    document.body.append(screen.element);
    expect(screen.element.textContent).toContain("服务器：http://127.0.0.1:8787");
    (byTestId("login-username") as HTMLInputElement).value = " steward1 ";
    (byTestId("login-password") as HTMLInputElement).value = "wrong";
    byTestId("login-submit")!.click();
    await expect.poll(() => byTestId("login-error")?.hidden).toBe(false);
    expect(byTestId("login-error")?.textContent).toBe("用户名或密码不正确");
    (byTestId("login-password") as HTMLInputElement).value = "heat-demo";
    await screen.submit();
    expect(tried).toEqual(["steward1/wrong", "steward1/heat-demo"]);
    expect(done).toEqual(["steward1"]);
    expect(byTestId("login-error")?.hidden).toBe(true);
  });
});

describe("sign-in on a new device", () => {
  it("names what went wrong reading the steward's profile from the central", async () => {
    const answers = [
      { code: "unauthorized", message: "token revoked" },
      { code: "central", message: "500" },
      { code: "other_steward", message: "holds steward1" },
      { code: "something_new", message: "the central's own words" },
    ];
    const screen = createLoginScreen({
      central: "http://127.0.0.1:8787",
      done: () => {},
      send: async () => {
        throw answers.shift();
      },
    });
    document.body.append(screen.element);
    (byTestId("login-username") as HTMLInputElement).value = "wang.fang";
    (byTestId("login-password") as HTMLInputElement).value = "secret-1";
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      await screen.submit();
      seen.push(`${byTestId("login-error")?.dataset.code}: ${byTestId("login-error")?.textContent}`);
    }
    expect(seen).toEqual([
      "unauthorized: 服务器拒绝了登录凭据，请重新登录",
      "central: 服务器返回了错误，请稍后再试",
      "other_steward: 本机保存的是其他管家的数据，不能用此账号登录",
      "something_new: the central's own words",
    ]);
  });
});
