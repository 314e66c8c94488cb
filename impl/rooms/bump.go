package rooms

// bumpTypes are the event types that move a room up a client's room list
// (MSC4186's bump_stamp): new messages and calls, not state or reactions.
var bumpTypes = map[string]bool{
	"m.room.create":    true,
	"m.room.message":   true,
	"m.room.encrypted": true,
	"m.sticker":        true,
	"m.call.invite":    true,
	"m.poll.start":     true,
	"m.beacon_info":    true,
	// The unstable names clients still send (MSC3381 polls, MSC3672 live
	// location).
	"org.matrix.msc3381.poll.start":  true,
	"org.matrix.msc3672.beacon_info": true,
}

// bumpsRoom reports whether an event of type t moves its room's bump stamp.
func bumpsRoom(t string) bool { return bumpTypes[t] }
