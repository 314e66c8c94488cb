package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

func TestStaticFilesAndHeaders(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/admin/"})
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, string(r.Raw), `<script src="app.js" defer></script>`)
	require.Equal(t, "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'", r.Header.Get("Content-Security-Policy"))
	require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
	for path, ctype := range map[string]string{"/admin/app.js": "text/javascript", "/admin/app.css": "text/css", "/admin/favicon.svg": "image/svg+xml"} {
		r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: path})
		require.Equal(t, http.StatusOK, r.Status, path)
		require.Contains(t, r.Header.Get("Content-Type"), ctype, path)
	}
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/admin/nope.js"})
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, "M_UNRECOGNIZED", r.Errcode())
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/admin/../_matrix/client/versions"})
	require.NotContains(t, string(r.Raw), "<html", "no escape from the embedded tree")
}

// chromium finds Debian's chromium (installed by .ci/run) or another
// Chrome. Without one the test skips, except in CI, where it must run.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("HEARTH_TEST_PG") == "docker" {
		t.Fatal("no chromium to run the dashboard test in (CI installs Debian's chromium package)")
	}
	t.Skip("no chromium installed: apt-get install chromium")
	return ""
}

// TestDashboardInChromium drives the dashboard in headless Chromium as an
// admin would: sign in, read the overview, create a user and deactivate
// them. Screenshots go to $HEARTH_SCREENSHOT_DIR when it is set.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("browser test")
	}
	browser := chromium(t)
	s := servertest.New(t)
	ctx := context.Background()
	_, err := s.App.Accounts.CreateUser(ctx, "root", "correct horse", true)
	require.NoError(t, err)
	bob := s.Register(t, "bob", "builder123")
	_, err = bob.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: "bob's room"})
	require.NoError(t, err)
	shots := os.Getenv("HEARTH_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 860))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	bctx, cancelTimeout := context.WithTimeout(bctx, 90*time.Second)
	defer cancelTimeout()
	require.NoError(t, chromedp.Do(bctx), "start chromium")

	// Every request the page makes must go to hearth, and nothing may
	// fail in its console: an exception, a console.error or a CSP
	// violation (which Chromium logs as an error).
	var mu sync.Mutex
	var foreign, problems []string
	require.NoError(t, chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if !strings.HasPrefix(e.Request.URL, s.URL+"/") {
				foreign = append(foreign, e.Request.URL)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, "console.error")
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError && !strings.Contains(e.Entry.Text, "401") {
				problems = append(problems, "log: "+e.Entry.Text)
			}
		}
	}))
	_, err = chromedp.Call(bctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	_, err = chromedp.Call(bctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	// visible waits for an element to be shown. It polls in the page
	// rather than through chromedp's DOM mirror, which can miss the
	// changes that follow an in-page (#fragment) navigation.
	visible := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](
			fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.getClientRects().length > 0; })()`, sel),
			chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))
	}
	text := func(sel string) chromedp.Action[string] {
		return chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).innerText`, sel))
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(shots, name), png, 0o644))
	}

	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(s.URL+"/admin"),
		visible("#signin-form"),
		chromedp.SendKeys("#signin-user", "root"),
		chromedp.SendKeys("#signin-password", "correct horse"),
		chromedp.Click("#signin-submit"),
		visible(`[data-test=stats]`),
		visible(`.chart svg rect`),
	))
	stats, err := chromedp.Run(bctx, text(`[data-test=stats]`))
	require.NoError(t, err)
	require.Contains(t, strings.ToLower(stats), "users\n2\n", "root and bob")
	shot("overview.png")

	require.NoError(t, chromedp.Do(bctx,
		chromedp.Click(`a[data-section=users]`),
		visible(`[data-test=users] table`),
		chromedp.Click(`[data-test=create-user]`),
		visible(`#modal input[name=user]`),
		chromedp.SendKeys(`#modal input[name=user]`, "dave"),
		chromedp.SendKeys(`#modal input[name=password]`, "dave-password"),
		chromedp.SendKeys(`#modal input[name=displayname]`, "Dave"),
		chromedp.Click(`#modal [data-test=modal-submit]`),
		visible(`[data-test=user-facts]`),
		visible(`[data-test=deactivate]`),
	))
	u, err := s.App.Accounts.Account(ctx, id.UserID("@dave:hearth.test"))
	require.NoError(t, err, "the dashboard created dave")
	require.False(t, u.Deactivated())

	require.NoError(t, chromedp.Do(bctx,
		chromedp.Click(`[data-test=deactivate]`),
		visible(`#modal [data-test=modal-submit]`),
		chromedp.Click(`#modal [data-test=modal-submit]`),
		visible(`[data-test=user-facts] .badge.deactivated`),
	))
	facts, err := chromedp.Run(bctx, text(`[data-test=user-facts]`))
	require.NoError(t, err)
	shot("user.png")
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(s.URL+"/admin/#/users"),
		visible(`[data-test=users] table`),
	))
	shot("users.png")
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Click(`a[data-section=audit]`),
		visible(`[data-test=audit] table`),
	))
	shot("audit.png")

	// The other sections render too.
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Click(`a[data-section=rooms]`),
		visible(`[data-test=rooms] tbody tr`),
		chromedp.Click(`[data-test=rooms] tbody tr`),
		visible(`[data-test=room-facts]`),
	))
	shot("room.png")
	for _, section := range []string{"reports", "tokens", "overview"} {
		require.NoError(t, chromedp.Do(bctx, chromedp.Click(`a[data-section=`+section+`]`), visible(`.view-head`)))
	}
	require.Contains(t, facts, "deactivated")
	u, err = s.App.Accounts.Account(ctx, id.UserID("@dave:hearth.test"))
	require.NoError(t, err)
	require.True(t, u.Deactivated(), "the dashboard deactivated dave")

	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, foreign, "the dashboard reaches nothing but hearth")
	require.Empty(t, problems, "the page ran without errors")
	t.Logf("screenshots in %s", shots)
}
