package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven through its ChromeDriver, on a local cloud of
 * its own where SES is paced to 5 messages a second, so that a campaign of 100 takes about 20 s to send. The page
 * refreshes every second (DASHBOARD_REFRESH_INTERVAL). Checked: no key shows the login page and no data; signing in
 * with the key sets an HttpOnly, Secure, SameSite=Strict session cookie; the sending campaign appears by itself and
 * its progress moves on the page while it sends; once it is done every figure shown equals the api's
 * ({@code /campaigns/{id}/stats}, {@code /system/status}, {@code /analytics/trends}, {@code /system/warming}); the
 * charts drew on their canvases; a tampered cookie and signing out show the login again. Screenshots are saved as
 * {@code infra/local/target/dashboard-sending.png} (while sending) and {@code dashboard.png} (when done).
 */
class DashboardBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int RECIPIENTS = 100;
    private static final int SES_RATE = 5;
    private static final String PLAN = "postmark-dashboard";
    private static LocalCloud cloud;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Path work = ProjectLayout.root().resolve("infra/local/target/local-cloud-dashboard-pid-" + ProcessHandle.current().pid());
        Path config = work.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("providers.yaml"), """
                providers:
                  ses:
                    ratePerSecond: %d
                    dailyQuota: 50000
                    batchSize: 10
                    ipPools: [ses-shared]
                  sendgrid:
                    ratePerSecond: 100
                    dailyQuota: 100000
                    batchSize: 1000
                    ipPools: [sendgrid-shared]
                  postmark:
                    ratePerSecond: 50
                    dailyQuota: 100000
                    batchSize: 500
                    ipPools: [postmark-broadcast]
                """.formatted(SES_RATE), StandardCharsets.UTF_8);
        Path warming = config.resolve("warming.yaml");
        Files.writeString(warming, """
                schedules:
                  product-default: { ramp: { from: 50, to: 3000, days: 30 } }
                plans:
                  %s:
                    enabled: true
                    provider: postmark
                    ipPool: postmark-broadcast
                    schedule: product-default
                    sendingHours: { fromHour: 0, toHour: 24 }
                """.formatted(PLAN), StandardCharsets.UTF_8);
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                .sqsVisibilityTimeoutSeconds(30) // above a paced batch's 2 s: no batch reaches a second consumer
                .environment("DISPATCH_CONFIG_DIR", config.toString())
                .environment("DISPATCH_ENQUEUE_BATCH_SIZE", "10")
                // the test profile is the only one in which a function reads WARMING_CONFIG_FILE
                .environment("QUARKUS_PROFILE", "test")
                .environment("WARMING_CONFIG_FILE", warming.toString())
                .environment("DASHBOARD_REFRESH_INTERVAL", "1S")
                .workDir(work);
        cloud = LocalCloud.start(options);

        ChromeOptions chrome = new ChromeOptions();
        chrome.setBinary(new File("/usr/bin/chromium"));
        chrome.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,2000");
        // The driver given by path: Selenium Manager would try to download one.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, chrome);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    /**
     * The page's address. {@code localhost}, not 127.0.0.1: browsers treat both as secure contexts, and a Secure
     * cookie set over http://localhost is kept by every current browser.
     */
    private static String page(String path) {
        return cloud.apiUrl(path).toString().replace("://127.0.0.1:", "://localhost:");
    }

    private static JsonNode api(String method, String path, String body, String contentType) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(cloud.apiUrl(path)).timeout(Duration.ofSeconds(35))
                .header("Authorization", "Bearer " + cloud.devApiKey()).header("Content-Type", contentType)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() / 100 == 2, method + " " + path + ": " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode get(String path) throws Exception {
        return api("GET", path, null, "application/json");
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.2f %%", rate * 100); // the page's (rate * 100).toFixed(2) + ' %'
    }

    private static String text(String css) {
        List<WebElement> found = browser.findElements(By.cssSelector(css));
        return found.isEmpty() ? null : found.get(0).getText().strip();
    }

    /** Waits (up to 15 s) for an element: a click's navigation may still be loading. */
    private static WebElement await(By by) throws InterruptedException {
        for (long end = System.nanoTime() + Duration.ofSeconds(15).toNanos(); System.nanoTime() < end; ) {
            List<WebElement> found = browser.findElements(by);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + by + " on " + browser.getCurrentUrl() + ": " + browser.getPageSource());
    }

    private static int refreshes() {
        return Integer.parseInt(browser.findElement(By.id("dashboard")).getDomAttribute("data-refreshes"));
    }

    private static void awaitRefresh() throws InterruptedException {
        int before = refreshes();
        for (long end = System.nanoTime() + Duration.ofSeconds(15).toNanos(); System.nanoTime() < end; ) {
            if (refreshes() > before) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the page did not refresh within 15 s (refreshes " + before + ")");
    }

    @Test
    void givenACampaignSending_thenTheDashboardShowsItsProgressLiveWithTheApisFiguresBehindALogin() throws Exception {
        // ---- No key, no data: the login page, and every data route refused.
        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(cloud.apiUrl("/dashboard")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, anonymous.statusCode());
        assertTrue(anonymous.body().contains("id=\"login\"") && !anonymous.body().contains("id=\"dashboard\""), anonymous.body());
        String csp = anonymous.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.startsWith("default-src 'self'") && !csp.contains("unsafe-inline"), csp);
        for (String path : List.of("/reports/status", "/reports/warming", "/reports/providers", "/reports/campaign?campaign=x")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(cloud.apiUrl(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), path + ": " + r.body());
        }
        browser.get(page("/dashboard"));
        assertFalse(browser.findElements(By.id("login")).isEmpty(), browser.getPageSource());
        assertTrue(browser.findElements(By.id("dashboard")).isEmpty());
        browser.findElement(By.id("key")).sendKeys("not-the-key");
        browser.findElement(By.id("sign-in")).click();
        for (int i = 0; i < 100 && !"That key is not accepted.".equals(text("#login-message")); i++) {
            Thread.sleep(100);
        }
        assertEquals("That key is not accepted.", text("#login-message"));
        assertTrue(browser.findElements(By.id("dashboard")).isEmpty());

        // ---- A campaign of 100 recipients, paced to 5 a second by SES's rate.
        String segment = "dash-" + UUID.randomUUID().toString().substring(0, 8);
        StringBuilder csv = new StringBuilder("email,segments\n");
        for (int i = 0; i < RECIPIENTS; i++) {
            csv.append(String.format("r%03d-%s@example.com,%s%n", i, segment, segment));
        }
        api("POST", "/subscribers/bulk-import", csv.toString(), "text/csv");
        String id = api("POST", "/campaigns", "{\"name\":\"Dashboard " + segment + "\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"ses\"]}", "application/json").get("id").asText();
        api("POST", "/campaigns/" + id + "/send", null, "application/json");

        // ---- Sign in with the key: a session cookie, never the key, is kept.
        await(By.id("key")).sendKeys(cloud.devApiKey());
        browser.findElement(By.id("sign-in")).click();
        await(By.id("dashboard"));
        Cookie session = browser.manage().getCookieNamed("dispatch_session");
        assertNotNull(session, "no session cookie: " + browser.manage().getCookies());
        assertTrue(session.isHttpOnly() && session.isSecure(), session.toString());
        assertEquals("Strict", session.getSameSite());
        assertFalse(session.getValue().contains(cloud.devApiKey()));

        // ---- The campaign appears by itself and its progress moves as it sends.
        List<Integer> processedSeen = new ArrayList<>();
        boolean midSendShot = false;
        int firstRefreshes = refreshes();
        String status = null;
        for (long end = System.nanoTime() + Duration.ofSeconds(60).toNanos(); System.nanoTime() < end; ) {
            // Status first: a figure read after "sent" was seen is from that render or a later one, so the final one.
            status = text("[data-campaign='" + id + "'] [data-field='status']");
            String processed = text("[data-campaign='" + id + "'] [data-field='processed']");
            if (processed != null && processed.matches("\\d+")) {
                int value = Integer.parseInt(processed);
                if (processedSeen.isEmpty() || processedSeen.get(processedSeen.size() - 1) != value) {
                    processedSeen.add(value);
                }
                if (!midSendShot && value >= RECIPIENTS / 3 && value < RECIPIENTS) {
                    midSendShot = true;
                    screenshot("dashboard-sending.png");
                }
            }
            if ("sent".equals(status)) {
                break;
            }
            Thread.sleep(250);
        }
        System.out.println("dashboard: processed figures seen while sending " + processedSeen + ", refreshes "
                + firstRefreshes + " -> " + refreshes());
        assertEquals("sent", status, "the page never showed the campaign sent; seen " + processedSeen);
        assertEquals(RECIPIENTS, processedSeen.get(processedSeen.size() - 1));
        assertTrue(processedSeen.stream().anyMatch(p -> p > 0 && p < RECIPIENTS),
                "no figure between 0 and " + RECIPIENTS + " was shown while sending: " + processedSeen);
        assertTrue(processedSeen.size() >= 3, "the progress moved fewer than 3 times: " + processedSeen);
        for (int i = 1; i < processedSeen.size(); i++) {
            assertTrue(processedSeen.get(i) > processedSeen.get(i - 1), "progress went back: " + processedSeen);
        }
        assertTrue(refreshes() - firstRefreshes >= 5, "the page refreshed " + (refreshes() - firstRefreshes) + " times");

        // ---- Every figure shown equals the api's (read after one more refresh; retried while something still moves).
        eventually(() -> {
            try {
                awaitRefresh();
                return compareWithApi(id);
            } catch (Exception e) {
                return e.toString();
            }
        });

        // ---- The charts drew: each canvas has painted pixels.
        for (String chart : List.of("#queue-chart", "#trend-chart", "[data-campaign='" + id + "'] .chart")) {
            Object painted = ((JavascriptExecutor) browser).executeScript("""
                    const c = document.querySelector(arguments[0] + ' canvas');
                    if (!c || c.width === 0 || c.height === 0) return -1;
                    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    let n = 0;
                    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
                    return n;""", chart);
            assertTrue(((Number) painted).longValue() > 100, chart + ": " + painted + " painted pixels");
        }

        screenshot("dashboard.png");

        // ---- A tampered session is no session; signing out ends it.
        String value = session.getValue();
        String tampered = value.substring(0, value.length() - 2) + (value.endsWith("AA") ? "BB" : "AA");
        browser.manage().deleteCookieNamed("dispatch_session");
        browser.manage().addCookie(new Cookie.Builder("dispatch_session", tampered).path("/").isSecure(true)
                .isHttpOnly(true).sameSite("Strict").build());
        browser.get(page("/dashboard"));
        assertFalse(browser.findElements(By.id("login")).isEmpty(), "a tampered cookie opened the dashboard");
        browser.manage().deleteCookieNamed("dispatch_session");
        browser.manage().addCookie(session);
        browser.get(page("/dashboard"));
        assertFalse(browser.findElements(By.id("dashboard")).isEmpty(), "the genuine session did not open the dashboard");
        browser.findElement(By.cssSelector("header form button")).click();
        await(By.id("login"));
        assertTrue(browser.manage().getCookieNamed("dispatch_session") == null
                || browser.manage().getCookieNamed("dispatch_session").getValue().isEmpty());
    }

    /** Saves what the browser shows under infra/local/target/ (a build artifact). */
    private static void screenshot(String name) throws java.io.IOException {
        Path shot = ProjectLayout.root().resolve("infra/local/target/" + name);
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("dashboard screenshot: " + shot);
    }

    /** Null when every figure on the page equals the api's, else what differs. */
    private static String compareWithApi(String id) throws Exception {
        List<String> differences = new ArrayList<>();
        String campaign = "[data-campaign='" + id + "'] ";
        JsonNode stats = get("/campaigns/" + id + "/stats");
        check(differences, "campaign sent", stats.get("counts").path("sent").asText("0"), text(campaign + "[data-field='sent']"));
        check(differences, "campaign delivered", stats.get("counts").path("delivered").asText("0"),
                text(campaign + "[data-field='delivered']"));
        check(differences, "campaign delivery rate", percent(stats.get("rates").get("deliveryRate").asDouble()),
                text(campaign + "[data-field='deliveryRate']"));
        check(differences, "campaign recipients", Integer.toString(RECIPIENTS), text(campaign + "[data-field='recipients']"));

        JsonNode system = get("/system/status");
        for (JsonNode q : system.get("queues")) {
            String row = "#queues tr[data-queue='" + q.get("name").asText() + "'] ";
            check(differences, q.get("name") + " waiting", q.get("waiting").asText(), text(row + "[data-field='waiting']"));
            check(differences, q.get("name") + " in flight", q.get("inFlight").asText(), text(row + "[data-field='inFlight']"));
        }
        JsonNode ses = system.get("providers").get("ses").get("pacing");
        String pacing = "#pacing tr[data-provider='ses'] ";
        check(differences, "ses configured rate", Integer.toString(SES_RATE), text(pacing + "[data-field='configuredRatePerSecond']"));
        check(differences, "ses configured rate (api)", ses.get("configuredRatePerSecond").asText(),
                text(pacing + "[data-field='configuredRatePerSecond']"));
        check(differences, "ses used today", ses.get("usedToday").asText(), text(pacing + "[data-field='usedToday']"));
        check(differences, "ses daily quota", ses.get("dailyQuota").asText(), text(pacing + "[data-field='dailyQuota']"));

        JsonNode trends = get("/analytics/trends").get("providers").get("ses");
        String provider = "#provider-report tr[data-provider-report='ses'] ";
        check(differences, "ses sent (period)", trends.get("counts").get("sent").asText(), text(provider + "[data-field='sent']"));
        check(differences, "ses delivery rate (period)", percent(trends.get("rates").get("deliveryRate").asDouble()),
                text(provider + "[data-field='deliveryRate']"));
        check(differences, "ses bounce rate (period)", percent(trends.get("rates").get("bounceRate").asDouble()),
                text(provider + "[data-field='bounceRate']"));

        JsonNode plan = null;
        for (JsonNode p : get("/system/warming").get("plans")) {
            if (p.get("name").asText().equals(PLAN)) {
                plan = p;
            }
        }
        assertNotNull(plan, "the api shows no plan " + PLAN);
        String row = "#plans tr[data-plan='" + PLAN + "'] ";
        check(differences, "plan state", plan.get("state").asText(), text(row + "[data-field='state']"));
        check(differences, "plan day", plan.get("day").asText() + " / " + plan.get("scheduleDays").asText(), text(row + "[data-field='day']"));
        check(differences, "plan used today", plan.get("usedToday").asText(), text(row + "[data-field='usedToday']"));
        check(differences, "plan volume", plan.get("todayVolume").isNull() ? "-" : plan.get("todayVolume").asText(),
                text(row + "[data-field='todayVolume']"));
        return differences.isEmpty() ? null : String.join("; ", differences);
    }

    private static void check(List<String> differences, String what, String api, String shown) {
        if (!api.equals(shown)) {
            differences.add(what + ": api " + api + ", page " + shown);
        }
    }

    private static void eventually(Supplier<String> differences) {
        String last = null;
        for (int i = 0; i < 5; i++) {
            last = differences.get();
            if (last == null) {
                return;
            }
        }
        throw new AssertionError("the page's figures differ from the api's: " + last);
    }
}
