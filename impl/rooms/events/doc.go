// Package events holds room events as hearth stores them: PDUs built,
// hashed and signed with mautrix-go's federation/pdu, their stored form
// (the signed bytes plus the columns queries need), content checks, and
// their client-facing form. The room write path (impl/rooms) and every
// reader of rooms use it.
package events
