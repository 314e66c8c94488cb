package events

import (
	"maunium.net/go/mautrix/crypto/canonicaljson"
	"maunium.net/go/mautrix/federation/pdu"
)

func marshalPDU(p *pdu.PDU) ([]byte, error) {
	b, err := canonicaljson.Marshal(p)
	return b, err
}
