package clientapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// relate sends a message relating to target and returns its ID.
func relate(t *testing.T, cli *mautrix.Client, room id.RoomID, evType event.Type, content map[string]any) id.EventID {
	t.Helper()
	resp, err := cli.SendMessageEvent(context.Background(), room, evType, content)
	require.NoError(t, err)
	return resp.EventID
}

func edit(target id.EventID, text string) map[string]any {
	return map[string]any{
		"msgtype": "m.text", "body": "* " + text,
		"m.new_content": map[string]any{"msgtype": "m.text", "body": text},
		"m.relates_to":  map[string]any{"rel_type": "m.replace", "event_id": string(target)},
	}
}

func inThread(root id.EventID, text string) map[string]any {
	return map[string]any{"msgtype": "m.text", "body": text, "m.relates_to": map[string]any{"rel_type": "m.thread", "event_id": string(root)}}
}

func reaction(target id.EventID, key string) map[string]any {
	return map[string]any{"m.relates_to": map[string]any{"rel_type": "m.annotation", "event_id": string(target), "key": key}}
}

// bundled reads an event as cli and returns its bundled aggregations.
func bundled(t *testing.T, cli *mautrix.Client, room id.RoomID, evID id.EventID) (*event.Event, *event.Relations) {
	t.Helper()
	ev, err := cli.GetEvent(context.Background(), room, evID)
	require.NoError(t, err)
	return ev, ev.Unsigned.Relations
}

func TestEditsAreBundled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoUserRoom(t, s)
	original := sendText(t, alice, room, "original")
	s.Clock.Advance(time.Second)
	first := relate(t, alice, room, event.EventMessage, edit(original, "edited once"))
	s.Clock.Advance(time.Second)
	second := relate(t, alice, room, event.EventMessage, edit(original, "edited twice"))
	s.Clock.Advance(time.Second)
	// Not valid edits: another sender, another type, no m.new_content.
	relate(t, bob, room, event.EventMessage, edit(original, "bob's edit"))
	relate(t, alice, room, event.Type{Type: "org.example.note", Class: event.MessageEventType}, edit(original, "of another type"))
	relate(t, alice, room, event.EventMessage, map[string]any{"msgtype": "m.text", "body": "no new content",
		"m.relates_to": map[string]any{"rel_type": "m.replace", "event_id": string(original)}})

	ev, rel := bundled(t, bob, room, original)
	require.Equal(t, "original", body(t, ev), "the original's content is not replaced (v1.7+)")
	require.NotNil(t, rel.GetLatestEdit())
	require.Equal(t, second, rel.LatestEdit.ID, "the latest valid edit")
	require.Equal(t, alice.UserID, rel.LatestEdit.Sender)
	require.Equal(t, "edited twice", rel.LatestEdit.Content.Raw["m.new_content"].(map[string]any)["body"])

	// Where else the original is served, the edit comes along.
	page, err := bob.Messages(ctx, room, "", "", mautrix.DirectionBackward, &mautrix.FilterPart{Types: []event.Type{event.EventMessage}}, 100)
	require.NoError(t, err)
	var found bool
	for _, e := range page.Chunk {
		switch e.ID {
		case original:
			found = true
			require.Equal(t, second, e.Unsigned.Relations.GetLatestEdit().ID)
		case first, second:
			require.Nil(t, e.Unsigned.Relations, "edits have no aggregations of their own")
		}
	}
	require.True(t, found)
	c, err := bob.Context(ctx, room, original, nil, 2)
	require.NoError(t, err)
	require.Equal(t, second, c.Event.Unsigned.Relations.GetLatestEdit().ID)

	// A redacted edit no longer counts; a redacted original has none.
	_, err = alice.RedactEvent(ctx, room, second)
	require.NoError(t, err)
	_, rel = bundled(t, bob, room, original)
	require.Equal(t, first, rel.GetLatestEdit().ID)
	_, err = alice.RedactEvent(ctx, room, original)
	require.NoError(t, err)
	ev, rel = bundled(t, bob, room, original)
	require.Nil(t, rel.GetLatestEdit())
	require.NotNil(t, ev.Unsigned.RedactedBecause)
}

func TestReactionsInRelations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoUserRoom(t, s)
	carol := s.Register(t, "carol", "christmas1")
	_, err := alice.InviteUser(ctx, room, &mautrix.ReqInviteUser{UserID: carol.UserID})
	require.NoError(t, err)
	_, err = carol.JoinRoomByID(ctx, room)
	require.NoError(t, err)

	msg := sendText(t, alice, room, "react to me")
	bobs, err := bob.SendReaction(ctx, room, msg, "👍")
	require.NoError(t, err)
	carols, err := carol.SendReaction(ctx, room, msg, "👍")
	require.NoError(t, err)
	_, err = bob.SendReaction(ctx, room, msg, "👍")
	var httpErr mautrix.HTTPError
	require.ErrorAs(t, err, &httpErr)
	require.Equal(t, "M_DUPLICATE_ANNOTATION", httpErr.RespError.ErrCode, "one reaction per sender and key")
	_, err = bob.SendReaction(ctx, room, msg, "🎉")
	require.NoError(t, err)

	for _, req := range []*mautrix.ReqGetRelations{
		{}, {RelationType: event.RelAnnotation}, {RelationType: event.RelAnnotation, EventType: event.EventReaction},
	} {
		resp, err := alice.GetRelations(ctx, room, msg, req)
		require.NoError(t, err)
		require.Len(t, resp.Chunk, 3)
		require.Equal(t, carols.EventID, resp.Chunk[1].ID, "newest first")
		require.Empty(t, resp.NextBatch)
		require.Zero(t, resp.RecursionDepth, "not asked to recurse")
	}
	none, err := alice.GetRelations(ctx, room, msg, &mautrix.ReqGetRelations{RelationType: event.RelAnnotation, EventType: event.EventMessage})
	require.NoError(t, err)
	require.Empty(t, none.Chunk)

	_, err = bob.RedactEvent(ctx, room, bobs.EventID)
	require.NoError(t, err)
	resp, err := alice.GetRelations(ctx, room, msg, &mautrix.ReqGetRelations{RelationType: event.RelAnnotation})
	require.NoError(t, err)
	require.Len(t, resp.Chunk, 2, "a redacted reaction no longer counts")
	require.NotContains(t, ids(resp.Chunk), bobs.EventID)
	_, err = bob.SendReaction(ctx, room, msg, "👍")
	require.NoError(t, err, "and may be sent again")

	// Pagination, both ways.
	var all []id.EventID
	from := ""
	for {
		page, err := alice.GetRelations(ctx, room, msg, &mautrix.ReqGetRelations{From: from, Limit: 1})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Chunk), 1)
		if from != "" {
			require.Equal(t, from, page.PrevBatch)
		}
		all = append(all, ids(page.Chunk)...)
		if page.NextBatch == "" {
			break
		}
		from = page.NextBatch
	}
	require.Len(t, all, 3)
	fwd, err := alice.GetRelations(ctx, room, msg, &mautrix.ReqGetRelations{Dir: mautrix.DirectionForward, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []id.EventID{all[2], all[1], all[0]}, ids(fwd.Chunk))
}

func TestThreads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoUserRoom(t, s)
	carol := s.Register(t, "carol", "christmas1")
	_, err := alice.InviteUser(ctx, room, &mautrix.ReqInviteUser{UserID: carol.UserID})
	require.NoError(t, err)
	_, err = carol.JoinRoomByID(ctx, room)
	require.NoError(t, err)

	rootA := sendText(t, alice, room, "thread A")
	rootB := sendText(t, bob, room, "thread B")
	rootC := sendText(t, carol, room, "thread C")
	relate(t, bob, room, event.EventMessage, inThread(rootA, "A1"))
	relate(t, carol, room, event.EventMessage, inThread(rootC, "C1"))
	relate(t, alice, room, event.EventMessage, inThread(rootB, "B1"))
	lastA := relate(t, bob, room, event.EventMessage, inThread(rootA, "A2"))
	s.Clock.Advance(time.Second)
	editA := relate(t, bob, room, event.EventMessage, edit(lastA, "A2 edited"))

	// The root carries its thread's summary.
	_, rel := bundled(t, alice, room, rootA)
	require.NotNil(t, rel.GetThread())
	require.Equal(t, 2, rel.Thread.Count)
	require.True(t, rel.Thread.CurrentUserParticipated, "alice started it")
	require.Equal(t, lastA, rel.Thread.LatestEvent.ID)
	require.Equal(t, "A2", body(t, rel.Thread.LatestEvent))
	require.Equal(t, editA, rel.Thread.LatestEvent.Unsigned.Relations.GetLatestEdit().ID, "the latest event comes with its edit")
	_, rel = bundled(t, carol, room, rootA)
	require.False(t, rel.Thread.CurrentUserParticipated, "carol never wrote in A")
	_, rel = bundled(t, carol, room, rootB)
	require.Equal(t, 1, rel.Thread.Count)
	require.False(t, rel.Thread.CurrentUserParticipated)
	_, rel = bundled(t, alice, room, rootB)
	require.True(t, rel.Thread.CurrentUserParticipated, "alice replied in B")

	threads := func(cli *mautrix.Client, query string) (roots []id.EventID, next string) {
		t.Helper()
		r := s.Do(t, servertest.Request{Method: http.MethodGet, Token: cli.AccessToken,
			Path: "/_matrix/client/v1/rooms/" + url.PathEscape(string(room)) + "/threads" + query})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		for _, e := range r.Body["chunk"].([]any) {
			ev := e.(map[string]any)
			require.NotNil(t, ev["unsigned"].(map[string]any)["m.relations"].(map[string]any)["m.thread"], "roots come with their summary")
			roots = append(roots, id.EventID(ev["event_id"].(string)))
		}
		next, _ = r.Body["next_batch"].(string)
		return roots, next
	}
	all, next := threads(alice, "")
	require.Equal(t, []id.EventID{rootA, rootB, rootC}, all, "by latest activity")
	require.Empty(t, next)
	mine, _ := threads(carol, "?include=participated")
	require.Equal(t, []id.EventID{rootC}, mine)
	mine, _ = threads(alice, "?include=participated")
	require.Equal(t, []id.EventID{rootA, rootB}, mine, "started or replied")

	// One at a time.
	var paged []id.EventID
	query := "?limit=1"
	for {
		roots, next := threads(bob, query)
		paged = append(paged, roots...)
		if next == "" {
			break
		}
		query = "?limit=1&from=" + url.QueryEscape(next)
	}
	require.Equal(t, all, paged)

	// New activity moves a thread to the front.
	relate(t, carol, room, event.EventMessage, inThread(rootC, "C2"))
	all, _ = threads(alice, "")
	require.Equal(t, []id.EventID{rootC, rootA, rootB}, all)
}

func TestRelationsRecurseAndReferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)
	alice, bob, room := twoUserRoom(t, s)
	root := sendText(t, alice, room, "root")
	reply := relate(t, bob, room, event.EventMessage, inThread(root, "in the thread"))
	liked, err := alice.SendReaction(ctx, room, reply, "❤️")
	require.NoError(t, err)
	s.Clock.Advance(time.Second)
	edited := relate(t, bob, room, event.EventMessage, edit(reply, "in the thread, edited"))
	deep, err := bob.SendReaction(ctx, room, edited, "👀") // three levels down
	require.NoError(t, err)
	tooDeep, err := alice.SendReaction(ctx, room, deep.EventID, "🪆") // four
	require.NoError(t, err)
	ref := relate(t, alice, room, event.Type{Type: "org.example.ref", Class: event.MessageEventType},
		map[string]any{"m.relates_to": map[string]any{"rel_type": "m.reference", "event_id": string(root)}})

	direct, err := alice.GetRelations(ctx, room, root, &mautrix.ReqGetRelations{})
	require.NoError(t, err)
	require.Equal(t, []id.EventID{ref, reply}, ids(direct.Chunk))

	deepResp, err := alice.GetRelations(ctx, room, root, &mautrix.ReqGetRelations{Recurse: true})
	require.NoError(t, err)
	require.Equal(t, 3, deepResp.RecursionDepth)
	require.Equal(t, []id.EventID{ref, deep.EventID, edited, liked.EventID, reply}, ids(deepResp.Chunk))
	require.NotContains(t, ids(deepResp.Chunk), tooDeep.EventID, "three levels at most")

	threadOnly, err := alice.GetRelations(ctx, room, root, &mautrix.ReqGetRelations{RelationType: event.RelThread, Recurse: true})
	require.NoError(t, err)
	require.Equal(t, []id.EventID{reply}, ids(threadOnly.Chunk))
	annotations, err := alice.GetRelations(ctx, room, root, &mautrix.ReqGetRelations{RelationType: event.RelAnnotation, Recurse: true})
	require.NoError(t, err)
	require.Equal(t, []id.EventID{deep.EventID, liked.EventID}, ids(annotations.Chunk), "the type filter applies at every depth")

	// recurse=false is answered with the depth it went to.
	r := s.Do(t, servertest.Request{Method: http.MethodGet, Token: alice.AccessToken,
		Path: "/_matrix/client/v1/rooms/" + url.PathEscape(string(room)) + "/relations/" + url.PathEscape(string(root)) + "?recurse=false"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.EqualValues(t, 1, r.Body["recursion_depth"])

	// The root bundles its references and its thread.
	_, rel := bundled(t, bob, room, root)
	require.Equal(t, []id.EventID{ref}, rel.References.GetEventIDs())
	require.Equal(t, 1, rel.GetThread().Count)
	require.True(t, rel.Thread.CurrentUserParticipated, "bob replied")
}
