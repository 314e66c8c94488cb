package push

import (
	"encoding/json"
	"fmt"
	"testing"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/pushrules"
)

// benchMembers is the room size the evaluation benchmarks use.
const benchMembers = 1000

// benchRulesets gives each member the default rules; one in ten also has
// rules of their own (a keyword, a muted sender, a display name rule).
func benchRulesets(b *testing.B) ([]id.UserID, []*Ruleset) {
	users := make([]id.UserID, benchMembers)
	sets := make([]*Ruleset, benchMembers)
	for i := range users {
		users[i] = id.UserID(fmt.Sprintf("@member%d:example.org", i))
		u := &userRules{}
		if i%10 == 0 {
			for _, r := range []struct {
				kind     Kind
				id, body string
			}{
				{KindContent, "lunch", `{"actions":["notify",{"set_tweak":"highlight"}],"pattern":"lunch"}`},
				{KindSender, "@spam:example.org", `{"actions":[]}`},
				{KindOverride, "name", `{"actions":["notify",{"set_tweak":"highlight"}],"conditions":[{"kind":"contains_display_name"}]}`},
			} {
				rule, err := ParseRuleBody(r.kind, r.id, []byte(r.body))
				if err != nil {
					b.Fatal(err)
				}
				if err := u.put(r.kind, rule, "", ""); err != nil {
					b.Fatal(err)
				}
			}
		}
		rs, err := u.merge(users[i])
		if err != nil {
			b.Fatal(err)
		}
		sets[i] = rs
	}
	return users, sets
}

var benchEvents = []struct{ name, json string }{
	{"message", `{"type":"m.room.message","sender":"@bob:example.org","room_id":"!r:example.org","content":{"msgtype":"m.text","body":"Shall we have lunch at noon? I found a nice place near the station."}}`},
	{"user_mention", `{"type":"m.room.message","sender":"@bob:example.org","room_id":"!r:example.org","content":{"msgtype":"m.text","body":"member7: look","m.mentions":{"user_ids":["@member7:example.org"]}}}`},
	{"room_mention", `{"type":"m.room.message","sender":"@bob:example.org","room_id":"!r:example.org","content":{"msgtype":"m.text","body":"@room meeting","m.mentions":{"room":true}}}`},
	{"encrypted", `{"type":"m.room.encrypted","sender":"@bob:example.org","room_id":"!r:example.org","content":{"algorithm":"m.megolm.v1.aes-sha2","ciphertext":"AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg"}}`},
	{"reaction", `{"type":"m.reaction","sender":"@bob:example.org","room_id":"!r:example.org","content":{"m.relates_to":{"rel_type":"m.annotation","event_id":"$x","key":"👍"}}}`},
}

// BenchmarkEvaluate is the cost of one event's evaluation for every member
// of a room of 1,000 local members, with hearth's compiled rules (ns/op is
// per event; ns/member per member). The same rules through mautrix-go's
// pushrules package are measured beside them.
func BenchmarkEvaluate(b *testing.B) {
	users, sets := benchRulesets(b)
	room := fakeRoom{members: benchMembers, mayNotify: true, names: map[id.UserID]string{}}
	for _, u := range users {
		room.names[u] = "Member " + string(u)[7:10]
	}
	for _, ev := range benchEvents {
		b.Run("hearth/"+ev.name, func(b *testing.B) {
			evaluators := make([]*Evaluator, len(users))
			for i, u := range users {
				evaluators[i] = Compile(u, sets[i])
			}
			var view Room = room
			b.ReportAllocs()
			notified := 0
			for b.Loop() {
				e := NewEvent("$e", "!r:example.org", []byte(ev.json))
				notified = 0
				for _, x := range evaluators {
					if x.Evaluate(e, view).Notify {
						notified++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchMembers, "ns/member")
			b.ReportMetric(float64(notified), "notified")
		})
		b.Run("mautrix/"+ev.name, func(b *testing.B) {
			rulesets := make([]*pushrules.PushRuleset, len(users))
			for i := range users {
				rulesets[i] = &pushrules.PushRuleset{}
				if err := json.Unmarshal(sets[i].GlobalJSON(), rulesets[i]); err != nil {
					b.Fatal(err)
				}
			}
			mrooms := make([]mautrixRoom, len(users))
			for i, u := range users {
				mrooms[i] = mautrixRoom{name: room.names[u], members: benchMembers}
			}
			b.ReportAllocs()
			notified := 0
			for b.Loop() {
				var e event.Event
				if err := json.Unmarshal([]byte(ev.json), &e); err != nil {
					b.Fatal(err)
				}
				notified = 0
				for i, rs := range rulesets {
					if rs.GetActions(mrooms[i], &e).Should().Notify {
						notified++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchMembers, "ns/member")
			b.ReportMetric(float64(notified), "notified")
		})
	}
}

// mautrixRoom is the room mautrix-go's rules ask: the member's own display
// name, the member count and power levels letting everyone notify.
type mautrixRoom struct {
	name    string
	members int
}

func (r mautrixRoom) GetOwnDisplayname() string { return r.name }
func (r mautrixRoom) GetMemberCount() int       { return r.members }
func (r mautrixRoom) GetPowerLevels() *event.PowerLevelsEventContent {
	return &event.PowerLevelsEventContent{}
}
