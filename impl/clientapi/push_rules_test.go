package clientapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// ruleIDs lists the IDs of a kind's rules in GET /pushrules/'s answer.
func ruleIDs(t *testing.T, body map[string]any, kind string) []string {
	t.Helper()
	out := []string{}
	for _, r := range body["global"].(map[string]any)[kind].([]any) {
		out = append(out, r.(map[string]any)["rule_id"].(string))
	}
	return out
}

// TestPushRulesCRUD drives every push rules endpoint over HTTP.
func TestPushRulesCRUD(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	do := func(method, path string, body any) servertest.Response {
		return s.Do(t, servertest.Request{Method: method, Path: path, Token: alice.AccessToken, Body: body})
	}
	ok := func(r servertest.Response) servertest.Response {
		t.Helper()
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		return r
	}

	// The defaults, per kind.
	all := ok(do(http.MethodGet, "/_matrix/client/v3/pushrules/", nil)).Body
	require.Equal(t, []string{".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me", ".m.rule.member_event",
		".m.rule.is_user_mention", ".m.rule.is_room_mention", ".m.rule.tombstone", ".m.rule.reaction",
		".m.rule.room.server_acl", ".m.rule.suppress_edits"}, ruleIDs(t, all, "override"))
	require.Equal(t, []string{".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one",
		".m.rule.message", ".m.rule.encrypted"}, ruleIDs(t, all, "underride"))
	global := ok(do(http.MethodGet, "/_matrix/client/v3/pushrules/global/", nil)).Body
	require.Contains(t, global, "content")
	require.Empty(t, global["content"])

	// Content rules: created first, placed with before and after.
	cake := map[string]any{"pattern": "cake", "actions": []any{"notify", map[string]any{"set_tweak": "sound", "value": "cakealarm.wav"}}}
	ok(do(http.MethodPut, pushRulesPath("content/cake"), cake))
	ok(do(http.MethodPut, pushRulesPath("content/tea"), map[string]any{"pattern": "tea", "actions": []any{"notify"}}))
	ok(do(http.MethodPut, pushRulesPath("content/lie?before=cake"), map[string]any{"pattern": "cake*lie", "actions": []any{"notify"}}))
	ok(do(http.MethodPut, pushRulesPath("content/scone?after=cake"), map[string]any{"pattern": "scone", "actions": []any{}}))
	all = ok(do(http.MethodGet, "/_matrix/client/v3/pushrules/", nil)).Body
	require.Equal(t, []string{"tea", "lie", "cake", "scone"}, ruleIDs(t, all, "content"))

	got := ok(do(http.MethodGet, pushRulesPath("content/cake"), nil)).Body
	require.Equal(t, map[string]any{"rule_id": "cake", "default": false, "enabled": true, "pattern": "cake",
		"actions": []any{"notify", map[string]any{"set_tweak": "sound", "value": "cakealarm.wav"}}}, got)

	// enabled and actions, on a user rule and on a default rule.
	ok(do(http.MethodPut, pushRulesPath("content/cake/enabled"), map[string]any{"enabled": false}))
	require.Equal(t, false, ok(do(http.MethodGet, pushRulesPath("content/cake/enabled"), nil)).Body["enabled"])
	ok(do(http.MethodPut, pushRulesPath("underride/.m.rule.message/actions"), map[string]any{"actions": []any{"notify", map[string]any{"set_tweak": "sound", "value": "ping"}}}))
	require.Equal(t, []any{"notify", map[string]any{"set_tweak": "sound", "value": "ping"}},
		ok(do(http.MethodGet, pushRulesPath("underride/.m.rule.message/actions"), nil)).Body["actions"])
	ok(do(http.MethodPut, pushRulesPath("override/.m.rule.master/enabled"), map[string]any{"enabled": true}))
	master := ok(do(http.MethodGet, pushRulesPath("override/.m.rule.master"), nil)).Body
	require.Equal(t, true, master["enabled"])
	require.Equal(t, true, master["default"])

	// An updated rule keeps its place and its enabled flag.
	ok(do(http.MethodPut, pushRulesPath("content/cake"), map[string]any{"pattern": "cakes", "actions": []any{}}))
	got = ok(do(http.MethodGet, pushRulesPath("content/cake"), nil)).Body
	require.Equal(t, "cakes", got["pattern"])
	require.Equal(t, false, got["enabled"])
	all = ok(do(http.MethodGet, "/_matrix/client/v3/pushrules/", nil)).Body
	require.Equal(t, []string{"tea", "lie", "cake", "scone"}, ruleIDs(t, all, "content"))

	// Room and sender rules are named by their room or user; values of
	// event_property_is keep their JSON type, null included.
	room := "!somewhere:hearth.test"
	ok(do(http.MethodPut, pushRulesPath("room/"+url.PathEscape(room)), map[string]any{"actions": []any{}}))
	ok(do(http.MethodPut, pushRulesPath("sender/"+url.PathEscape("@spam:hearth.test")), map[string]any{"actions": []any{}}))
	ok(do(http.MethodPut, pushRulesPath("override/nulls"), `{"actions":["notify"],"conditions":[{"kind":"event_property_is","key":"content.x","value":null},{"kind":"event_property_is","key":"content.n","value":9007199254740991}]}`))
	raw := ok(do(http.MethodGet, pushRulesPath("override/nulls"), nil)).Raw
	require.JSONEq(t, `{"rule_id":"nulls","default":false,"enabled":true,"actions":["notify"],
		"conditions":[{"kind":"event_property_is","key":"content.x","value":null},{"kind":"event_property_is","key":"content.n","value":9007199254740991}]}`, string(raw))
	require.Equal(t, room, ok(do(http.MethodGet, pushRulesPath("room/"+url.PathEscape(room)), nil)).Body["rule_id"])

	// Deletes: a user rule goes, a default rule stays.
	ok(do(http.MethodDelete, pushRulesPath("content/tea"), nil))
	r := do(http.MethodGet, pushRulesPath("content/tea"), nil)
	require.Equal(t, [2]any{http.StatusNotFound, "M_NOT_FOUND"}, [2]any{r.Status, r.Errcode()})
	r = do(http.MethodDelete, pushRulesPath("underride/.m.rule.message"), nil)
	require.Equal(t, [2]any{http.StatusBadRequest, "M_INVALID_PARAM"}, [2]any{r.Status, r.Errcode()})
	ok(do(http.MethodGet, pushRulesPath("underride/.m.rule.message"), nil))

	// Bad input.
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		errcode            string
	}{
		{"dot rule ID", http.MethodPut, pushRulesPath("override/.m.rule.mine"), map[string]any{"actions": []any{}}, 400, "M_INVALID_PARAM"},
		{"backslash in rule ID", http.MethodPut, pushRulesPath("override/" + url.PathEscape(`a\b`)), map[string]any{"actions": []any{}}, 400, "M_INVALID_PARAM"},
		{"room rule not named by a room", http.MethodPut, pushRulesPath("room/lobby"), map[string]any{"actions": []any{}}, 400, "M_INVALID_PARAM"},
		{"unknown kind on put", http.MethodPut, pushRulesPath("sideways/x"), map[string]any{"actions": []any{}}, 400, ""},
		{"unknown kind on get", http.MethodGet, pushRulesPath("sideways/x"), nil, 400, ""},
		{"unknown kind on enabled", http.MethodPut, pushRulesPath("sideways/x/enabled"), map[string]any{"enabled": true}, 400, ""},
		{"condition without kind", http.MethodPut, pushRulesPath("override/x"), map[string]any{"actions": []any{}, "conditions": []any{map[string]any{"key": "type"}}}, 400, ""},
		{"event_match without pattern", http.MethodPut, pushRulesPath("override/x"), map[string]any{"actions": []any{}, "conditions": []any{map[string]any{"kind": "event_match", "key": "type"}}}, 400, "M_INVALID_PARAM"},
		{"member count not a count", http.MethodPut, pushRulesPath("override/x"), map[string]any{"actions": []any{}, "conditions": []any{map[string]any{"kind": "room_member_count", "is": "many"}}}, 400, "M_INVALID_PARAM"},
		{"compound value", http.MethodPut, pushRulesPath("override/x"), map[string]any{"actions": []any{}, "conditions": []any{map[string]any{"kind": "event_property_is", "key": "content.x", "value": []any{1}}}}, 400, ""},
		{"unknown action", http.MethodPut, pushRulesPath("override/x"), map[string]any{"actions": []any{"explode"}}, 400, "M_INVALID_PARAM"},
		{"no actions", http.MethodPut, pushRulesPath("override/x"), map[string]any{"conditions": []any{}}, 400, ""},
		{"content rule without pattern", http.MethodPut, pushRulesPath("content/x"), map[string]any{"actions": []any{}}, 400, "M_MISSING_PARAM"},
		{"before an unknown rule", http.MethodPut, pushRulesPath("content/x?before=nope"), map[string]any{"pattern": "x", "actions": []any{}}, 400, "M_UNKNOWN"},
		{"after a default rule", http.MethodPut, pushRulesPath("override/x?after=.m.rule.master"), map[string]any{"actions": []any{}}, 400, "M_INVALID_PARAM"},
		{"unknown action on a default rule", http.MethodPut, pushRulesPath("underride/.m.rule.message/actions"), map[string]any{"actions": []any{42}}, 400, ""},
		{"enable an unknown rule", http.MethodPut, pushRulesPath("override/nope/enabled"), map[string]any{"enabled": true}, 404, "M_NOT_FOUND"},
		{"actions of an unknown rule", http.MethodGet, pushRulesPath("override/nope/actions"), nil, 404, "M_NOT_FOUND"},
		{"delete an unknown rule", http.MethodDelete, pushRulesPath("override/nope"), nil, 404, "M_NOT_FOUND"},
	} {
		r := do(tc.method, tc.path, tc.body)
		require.Equal(t, tc.status, r.Status, "%s: %s", tc.name, r.Raw)
		if tc.errcode != "" {
			require.Equal(t, tc.errcode, r.Errcode(), tc.name)
		} else {
			require.NotEmpty(t, r.Errcode(), tc.name)
		}
	}
	// A refused put changes nothing.
	all = ok(do(http.MethodGet, "/_matrix/client/v3/pushrules/", nil)).Body
	require.Equal(t, []string{"lie", "cake", "scone"}, ruleIDs(t, all, "content"))
}

// TestPushRulesInAccountData: /sync's account data carries m.push_rules,
// the defaults in an initial sync and each change in the next sync.
func TestPushRulesInAccountData(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	pushRulesOf := func(resp *mautrix.RespSync) map[string]any {
		t.Helper()
		found := ofType(resp.AccountData.Events, "m.push_rules")
		if len(found) == 0 {
			return nil
		}
		require.Len(t, found, 1)
		return found[0]
	}
	initial := syncNow(t, alice, "")
	rules := pushRulesOf(initial)
	require.NotNil(t, rules, "an initial sync carries the push rules")
	require.Equal(t, []string{".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one",
		".m.rule.message", ".m.rule.encrypted"}, ruleIDs(t, rules, "underride"))
	// The account data endpoint has them too before any rule changed.
	got := s.Do(t, servertest.Request{Method: http.MethodGet,
		Path: "/_matrix/client/v3/user/" + url.PathEscape(string(alice.UserID)) + "/account_data/m.push_rules", Token: alice.AccessToken})
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Raw)
	require.Equal(t, ruleIDs(t, rules, "underride"), ruleIDs(t, got.Body, "underride"))

	poll := longPoll(alice, initial.NextBatch)
	r := s.Do(t, servertest.Request{Method: http.MethodPut, Path: pushRulesPath("underride/.m.rule.message/enabled"),
		Token: alice.AccessToken, Body: map[string]any{"enabled": false}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	rules = pushRulesOf(woken(t, poll))
	require.NotNil(t, rules, "the change wakes the sync and comes in it")
	for _, rule := range rules["global"].(map[string]any)["underride"].([]any) {
		m := rule.(map[string]any)
		require.Equal(t, m["rule_id"] != ".m.rule.message", m["enabled"], m["rule_id"])
	}
	// Account data cannot be written around the push rules API.
	code, errcode := errcodeOf(t, s, http.MethodPut, "/_matrix/client/v3/user/"+url.PathEscape(string(alice.UserID))+"/account_data/m.push_rules",
		alice.AccessToken, map[string]any{"global": map[string]any{}})
	require.Equal(t, http.StatusMethodNotAllowed, code)
	require.Equal(t, "M_BAD_JSON", errcode)
}

// TestPushers: pushers/set creates, updates, appends and deletes pushers,
// and refuses bad ones.
func TestPushers(t *testing.T) {
	t.Parallel()
	s := servertest.New(t)
	alice := s.Register(t, "alice", "wonderland1")
	bob := s.Register(t, "bob", "builder12")
	set := func(cli *mautrix.Client, body map[string]any) servertest.Response {
		return s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/pushers/set", Token: cli.AccessToken, Body: body})
	}
	pushers := func(cli *mautrix.Client) []map[string]any {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/pushers", Token: cli.AccessToken})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		var out struct {
			Pushers []map[string]any `json:"pushers"`
		}
		require.NoError(t, json.Unmarshal(r.Raw, &out))
		return out.Pushers
	}
	pusher := func(key string, extra map[string]any) map[string]any {
		p := map[string]any{"kind": "http", "app_id": "org.example.app", "pushkey": key, "app_display_name": "App",
			"device_display_name": "Phone", "lang": "en", "profile_tag": "tag",
			"data": map[string]any{"url": "https://push.example.org/_matrix/push/v1/notify", "format": "event_id_only", "brand": "x"}}
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	require.Empty(t, pushers(alice))
	require.Equal(t, http.StatusOK, set(alice, pusher("key1", nil)).Status)
	got := pushers(alice)
	require.Len(t, got, 1)
	require.Equal(t, map[string]any{"app_id": "org.example.app", "pushkey": "key1", "kind": "http", "app_display_name": "App",
		"device_display_name": "Phone", "lang": "en", "profile_tag": "tag",
		"data": map[string]any{"url": "https://push.example.org/_matrix/push/v1/notify", "format": "event_id_only", "brand": "x"}}, got[0])

	// The same app and pushkey updates.
	require.Equal(t, http.StatusOK, set(alice, pusher("key1", map[string]any{"lang": "fr"})).Status)
	got = pushers(alice)
	require.Len(t, got, 1)
	require.Equal(t, "fr", got[0]["lang"])

	// Another user taking the pushkey takes it from alice, unless append.
	require.Equal(t, http.StatusOK, set(bob, pusher("key1", map[string]any{"append": true})).Status)
	require.Len(t, pushers(alice), 1)
	require.Equal(t, http.StatusOK, set(bob, pusher("key1", nil)).Status)
	require.Empty(t, pushers(alice))
	require.Len(t, pushers(bob), 1)

	// kind null deletes.
	require.Equal(t, http.StatusOK, set(bob, map[string]any{"kind": nil, "app_id": "org.example.app", "pushkey": "key1"}).Status)
	require.Empty(t, pushers(bob))

	for _, tc := range []struct {
		name    string
		body    map[string]any
		errcode string
	}{
		{"no data", func() map[string]any { p := pusher("k", nil); delete(p, "data"); return p }(), "M_MISSING_PARAM"},
		{"no lang", func() map[string]any { p := pusher("k", nil); delete(p, "lang"); return p }(), "M_MISSING_PARAM"},
		{"no url", pusher("k", map[string]any{"data": map[string]any{"format": "event_id_only"}}), "M_MISSING_PARAM"},
		{"not http", pusher("k", map[string]any{"data": map[string]any{"url": "ftp://push.example.org/_matrix/push/v1/notify"}}), "M_INVALID_PARAM"},
		{"wrong path", pusher("k", map[string]any{"data": map[string]any{"url": "https://push.example.org/notify"}}), "M_INVALID_PARAM"},
		{"no host", pusher("k", map[string]any{"data": map[string]any{"url": "https:///_matrix/push/v1/notify"}}), ""},
		{"email pushers", pusher("k", map[string]any{"kind": "email"}), "M_INVALID_PARAM"},
		{"unknown format", pusher("k", map[string]any{"data": map[string]any{"url": "https://p.example.org/_matrix/push/v1/notify", "format": "full"}}), ""},
		{"long app ID", pusher("k", map[string]any{"app_id": string(make([]byte, 65))}), ""},
	} {
		r := set(alice, tc.body)
		require.Equal(t, http.StatusBadRequest, r.Status, "%s: %s", tc.name, r.Raw)
		if tc.errcode != "" {
			require.Equal(t, tc.errcode, r.Errcode(), tc.name)
		}
	}
	require.Empty(t, pushers(alice))
}

// TestNotificationsList: GET /notifications lists what notified the user,
// newest first, pages with from and limit, filters highlights, and says
// what the user read.
func TestNotificationsList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoInARoom(t, s)
	var sent []string
	for _, body := range []string{"one", "two", "three"} {
		resp, err := alice.SendText(ctx, room, body)
		require.NoError(t, err)
		sent = append(sent, string(resp.EventID))
	}
	mention, err := alice.SendMessageEvent(ctx, room, event.EventMessage, map[string]any{
		"msgtype": "m.text", "body": "bob?", "m.mentions": map[string]any{"user_ids": []string{string(bob.UserID)}}})
	require.NoError(t, err)
	sent = append(sent, string(mention.EventID))
	_, err = alice.SendMessageEvent(ctx, room, event.EventReaction, map[string]any{
		"m.relates_to": map[string]any{"rel_type": "m.annotation", "event_id": sent[0], "key": "👍"}})
	require.NoError(t, err)
	require.NoError(t, bob.SendReceipt(ctx, room, id.EventID(sent[1]), event.ReceiptTypeRead, nil))

	type page struct {
		Next          string `json:"next_token"`
		Notifications []struct {
			Actions []any          `json:"actions"`
			Event   map[string]any `json:"event"`
			Read    bool           `json:"read"`
			RoomID  string         `json:"room_id"`
			TS      int64          `json:"ts"`
		} `json:"notifications"`
	}
	list := func(query string) page {
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/notifications" + query, Token: bob.AccessToken})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		var p page
		require.NoError(t, json.Unmarshal(r.Raw, &p))
		return p
	}
	all := list("")
	require.Len(t, all.Notifications, 4, "the messages, not the reaction nor the member events")
	for i, n := range all.Notifications {
		require.Equal(t, sent[3-i], n.Event["event_id"])
		require.Equal(t, string(room), n.RoomID)
		require.NotContains(t, n.Event, "room_id")
		require.NotZero(t, n.TS)
		require.Equal(t, i >= 2, n.Read, "read up to the receipt")
	}
	require.Equal(t, []any{"notify", map[string]any{"set_tweak": "sound", "value": "default"}, map[string]any{"set_tweak": "highlight"}},
		all.Notifications[0].Actions)
	require.Empty(t, all.Next)

	highlights := list("?only=highlight")
	require.Len(t, highlights.Notifications, 1)
	require.Equal(t, sent[3], highlights.Notifications[0].Event["event_id"])

	var paged []string
	query := "?limit=3"
	for {
		p := list(query)
		for _, n := range p.Notifications {
			paged = append(paged, n.Event["event_id"].(string))
		}
		if p.Next == "" {
			break
		}
		query = "?limit=3&from=" + url.QueryEscape(p.Next)
	}
	require.Equal(t, []string{sent[3], sent[2], sent[1], sent[0]}, paged)

	r := s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/notifications?from=bogus", Token: bob.AccessToken})
	require.Equal(t, [2]any{http.StatusBadRequest, "M_INVALID_PARAM"}, [2]any{r.Status, r.Errcode()})
	// Alice is not notified of her own messages.
	r = s.Do(t, servertest.Request{Method: http.MethodGet, Path: "/_matrix/client/v3/notifications", Token: alice.AccessToken})
	require.Equal(t, http.StatusOK, r.Status)
	require.Empty(t, r.Body["notifications"])
}
