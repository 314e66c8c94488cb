package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/tidwall/gjson"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/gen/pushgateway"
	"github.com/hearth-hs/hearth/impl/jobs"
	"github.com/hearth-hs/hearth/impl/netguard"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/stream"
)

// notifyArgs is one notification for one pusher: the job delivery
// enqueues.
type notifyArgs struct {
	User    id.UserID                  `json:"user"`
	AppID   string                     `json:"app_id"`
	Pushkey string                     `json:"pushkey"`
	Event   id.EventID                 `json:"event"`
	Room    id.RoomID                  `json:"room"`
	Prio    string                     `json:"prio"`
	Tweaks  map[string]json.RawMessage `json:"tweaks,omitempty"`
}

// Kind implements river.JobArgs.
func (notifyArgs) Kind() string { return "push.notify" }

// QueueName is the job queue notifications wait in.
const QueueName = "push"

// RegisterWorkers implements jobs.WorkerSet: the worker that posts
// notifications to push gateways.
func (s *Service) RegisterWorkers(w *jobs.Workers) { jobs.AddWorker(w, &notifyWorker{s: s}) }

// Queues implements jobs.QueueSet: notifications have a queue of their
// own, worked by Config.Workers at once.
func (s *Service) Queues() map[string]int { return map[string]int{QueueName: s.cfg.Workers} }

type notifyWorker struct {
	river.WorkerDefaults[notifyArgs]
	s *Service
}

// Work posts the notification. A pusher or event that is gone ends the job;
// a gateway that cannot be reached, or answers 429 or 5xx, fails it, to be
// retried; other answers but 2xx cancel it.
func (w *notifyWorker) Work(ctx context.Context, job *river.Job[notifyArgs]) error {
	return w.s.notify(ctx, job.Args)
}

// NextRetry spaces attempts by Config.RetryDelay, doubling, when it is set;
// otherwise River's backoff applies.
func (w *notifyWorker) NextRetry(job *river.Job[notifyArgs]) time.Time {
	d := w.s.cfg.RetryDelay
	if d <= 0 {
		return time.Time{}
	}
	for i := 1; i < job.Attempt && d < time.Hour; i++ {
		d *= 2
	}
	return time.Now().Add(min(d, time.Hour))
}

func (s *Service) notify(ctx context.Context, a notifyArgs) error {
	p, err := s.q.PusherGet(ctx, s.pool, db.PusherGetParams{UserID: a.User, AppID: a.AppID, Pushkey: a.Pushkey})
	if pg.IsNoRows(err) {
		return nil // the pusher was removed meanwhile
	}
	if err != nil {
		return fmt.Errorf("read pusher: %w", err)
	}
	e, err := s.eventInfo(ctx, a.Event)
	if pg.IsNoRows(err) {
		return nil // purged meanwhile
	}
	if err != nil {
		return err
	}
	n, err := s.notification(ctx, a, p, e)
	if err != nil {
		return err
	}
	client, err := pushgateway.NewClientWithResponses(strings.TrimSuffix(p.Url, NotifyPath), pushgateway.WithHTTPClient(s.http))
	if err != nil {
		return river.JobCancel(fmt.Errorf("push gateway %s: %w", p.Url, err))
	}
	resp, err := client.NotifyWithResponse(ctx, pushgateway.NotifyJSONRequestBody{Notification: n})
	if errors.Is(err, netguard.ErrForbidden) {
		return river.JobCancel(fmt.Errorf("push gateway %s: %w", p.Url, err))
	}
	if err != nil {
		return fmt.Errorf("notify push gateway: %w", err)
	}
	switch code := resp.StatusCode(); {
	case code == http.StatusTooManyRequests || code >= 500:
		return fmt.Errorf("push gateway answered %d", code)
	case code < 200 || code >= 300:
		return river.JobCancel(fmt.Errorf("push gateway answered %d", code))
	}
	if resp.JSON200 != nil && len(resp.JSON200.Rejected) > 0 {
		// v1.19 push gateway API: rejected pushkeys are of no use any more.
		if err := s.q.PusherDeleteKeys(ctx, s.pool, db.PusherDeleteKeysParams{UserID: a.User, AppID: a.AppID, Pushkeys: resp.JSON200.Rejected}); err != nil {
			return fmt.Errorf("remove rejected pushkeys: %w", err)
		}
		s.log.InfoContext(ctx, "push gateway rejected pushkeys; pushers removed", "user_id", a.User, "app_id", a.AppID, "count", len(resp.JSON200.Rejected))
	}
	return nil
}

// notification builds the request body: the full format, or only the
// event and room IDs when the pusher's data asks for event_id_only; the
// user's unread count; the device with its data (less url) and tweaks.
func (s *Service) notification(ctx context.Context, a notifyArgs, p db.PusherGetRow, e *eventInfo) (pushgateway.NotifyJSONBody_Notification, error) {
	data, err := forwardedData(p.Data)
	if err != nil {
		return pushgateway.NotifyJSONBody_Notification{}, err
	}
	tweaks := make(map[string]any, len(a.Tweaks))
	for k, v := range a.Tweaks {
		tweaks[k] = v
	}
	ts := p.PushkeyTs
	dev := pushgateway.NotifyJSONBody_Notification_Devices{AppId: a.AppID, Pushkey: a.Pushkey, PushkeyTs: &ts, Data: data, Tweaks: &tweaks}
	prio := pushgateway.NotifyJSONBodyNotificationPrio(a.Prio)
	eventID, roomID := string(a.Event), e.RoomID
	n := pushgateway.NotifyJSONBody_Notification{EventId: &eventID, RoomId: &roomID, Prio: &prio,
		Devices: []pushgateway.NotifyJSONBody_Notification_Devices{dev}}

	pos := stream.Pos(0)
	if e.StreamPos != nil {
		pos = stream.Pos(*e.StreamPos)
	}
	unread, err := s.badge(ctx, a.User, pos)
	if err != nil {
		return n, err
	}
	if unread > 0 {
		n.Counts = &pushgateway.NotifyJSONBody_Notification_Counts{Unread: &unread}
	}
	if gjson.GetBytes(p.Data, "format").Str == FormatEventIDOnly {
		return n, nil
	}

	n.Type, n.Sender, n.Content = &e.typ, &e.Sender, e.content
	if e.stateKey != nil && e.typ == event.StateMember.Type {
		target := *e.stateKey == string(a.User)
		n.UserIsTarget = &target
	}
	n.RoomName, n.RoomAlias, n.SenderDisplayName = e.roomName, e.roomAlias, e.senderName
	return n, nil
}

// eventInfo is what a notification tells of its event, read once for the
// many pushers one event notifies.
type eventInfo struct {
	db.PushEventByIDRow
	typ                             string
	stateKey                        *string
	content                         json.RawMessage
	roomName, roomAlias, senderName *string
}

// eventInfos keeps the latest events' infos for the jobs that follow.
type eventInfos struct {
	sync.Mutex
	m     map[id.EventID]*eventInfo
	order []id.EventID
}

const eventInfosMax = 256

// eventInfo reads an event and its room's name, alias and sender's display
// name (now), or finds them read: pg.IsNoRows when the event is gone.
func (s *Service) eventInfo(ctx context.Context, evID id.EventID) (*eventInfo, error) {
	s.infos.Lock()
	e := s.infos.m[evID]
	s.infos.Unlock()
	if e != nil {
		return e, nil
	}
	row, err := s.q.PushEventByID(ctx, s.pool, string(evID))
	if err != nil {
		if pg.IsNoRows(err) {
			return nil, err
		}
		return nil, fmt.Errorf("read event %s: %w", evID, err)
	}
	e = &eventInfo{PushEventByIDRow: row}
	pdu := gjson.ParseBytes(row.Pdu)
	e.typ = pdu.Get("type").Str
	if sk := pdu.Get("state_key"); sk.Exists() {
		e.stateKey = &sk.Str
	}
	if c := pdu.Get("content"); c.Exists() {
		e.content = json.RawMessage(c.Raw)
	}
	rows, err := s.q.PushRoomState(ctx, s.pool, db.PushRoomStateParams{RoomNid: row.RoomNid,
		Types: []string{event.StateRoomName.Type, event.StateCanonicalAlias.Type}, Members: []string{row.Sender}})
	if err != nil {
		return nil, fmt.Errorf("read room %s: %w", row.RoomID, err)
	}
	for _, r := range rows {
		c := gjson.GetBytes(r.Pdu, "content")
		var v string
		var dst **string
		switch r.Type {
		case event.StateRoomName.Type:
			v, dst = c.Get("name").Str, &e.roomName
		case event.StateCanonicalAlias.Type:
			v, dst = c.Get("alias").Str, &e.roomAlias
		case event.StateMember.Type:
			v, dst = c.Get("displayname").Str, &e.senderName
		}
		if v != "" && dst != nil {
			*dst = &v
		}
	}
	s.infos.Lock()
	defer s.infos.Unlock()
	if s.infos.m == nil {
		s.infos.m = map[id.EventID]*eventInfo{}
	}
	if _, ok := s.infos.m[evID]; !ok {
		if len(s.infos.order) >= eventInfosMax {
			delete(s.infos.m, s.infos.order[0])
			s.infos.order = s.infos.order[1:]
		}
		s.infos.m[evID] = e
		s.infos.order = append(s.infos.order, evID)
	}
	return e, nil
}

// forwardedData is the pusher's data as the gateway gets it: everything the
// client set but url.
func forwardedData(raw []byte) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode pusher data: %w", err)
	}
	delete(m, "url")
	return json.Marshal(m)
}

// badge is the user's unread notifications over the rooms they are in, at
// least up to pos (the notified event). Counts cached beyond it serve as
// they are; others are counted up to the newest position this process
// knows, so that the next notifications of a burst find them cached.
func (s *Service) badge(ctx context.Context, user id.UserID, pos stream.Pos) (int, error) {
	counts, err := s.unreadCounts(ctx, user, db.PushCountBasisParams{UserID: user, AllRooms: true, RoomIds: []string{}},
		pos, max(pos, s.positions.Safe()))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range counts {
		n += c.Notifications
	}
	return n, nil
}
