package admin

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-hs/hearth/gen/db"
	"github.com/hearth-hs/hearth/impl/accounts"
)

// Overview is the server at a glance, for the dashboard.
type Overview struct {
	Version string
	Started time.Time
	Uptime  time.Duration
	Counts  Counts
	// Daily holds one entry per UTC day of the period asked for, oldest
	// first, the current day included.
	Daily []Day
}

// Counts are the server's totals.
type Counts struct {
	Users, ActiveUsers, Admins, Guests, Deactivated, Locked, Suspended int64
	Rooms, PublicRooms, BlockedRooms                                   int64
	Events                                                             int64
	Media, MediaBytes                                                  int64
	Reports                                                            int64
	DatabaseBytes                                                      int64
}

// Day is what happened on one UTC day.
type Day struct {
	Day                          time.Time
	Registrations, Rooms, Events int64
	// MediaBytes are the bytes uploaded by local users.
	MediaBytes int64
}

// Overview counts the server's users, rooms, events and media, and what
// each of the last days added.
func (s *Service) Overview(ctx context.Context, actor accounts.Principal, days int) (Overview, error) {
	if err := authorize(actor); err != nil {
		return Overview{}, err
	}
	now := s.now().UTC()
	c, err := s.q.AdminOverviewCounts(ctx, s.pool)
	if err != nil {
		return Overview{}, fmt.Errorf("count server overview: %w", err)
	}
	o := Overview{Version: s.Version(), Started: s.started, Uptime: now.Sub(s.started), Counts: Counts{
		Users: c.Users, ActiveUsers: c.ActiveUsers, Admins: c.Admins, Guests: c.Guests, Deactivated: c.Deactivated,
		Locked: c.Locked, Suspended: c.Suspended, Rooms: c.Rooms, PublicRooms: c.PublicRooms, BlockedRooms: c.BlockedRooms,
		Events: c.Events, Media: c.Media, MediaBytes: c.MediaBytes, Reports: c.Reports, DatabaseBytes: c.DatabaseBytes,
	}}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	since := today.AddDate(0, 0, -(days - 1))
	o.Daily = make([]Day, days)
	index := map[time.Time]*Day{}
	for i := range o.Daily {
		o.Daily[i].Day = since.AddDate(0, 0, i)
		index[o.Daily[i].Day] = &o.Daily[i]
	}
	add := func(rows []dayCount, field func(*Day) *int64) {
		for _, r := range rows {
			if d := index[r.day.UTC()]; d != nil {
				*field(d) += r.n
			}
		}
	}
	regs, err := s.q.AdminDailyRegistrations(ctx, s.pool, since)
	if err != nil {
		return Overview{}, fmt.Errorf("count registrations by day: %w", err)
	}
	add(dayCounts(regs, func(r db.AdminDailyRegistrationsRow) (time.Time, int64) { return r.Day, r.N }),
		func(d *Day) *int64 { return &d.Registrations })
	rms, err := s.q.AdminDailyRooms(ctx, s.pool, since)
	if err != nil {
		return Overview{}, fmt.Errorf("count rooms by day: %w", err)
	}
	add(dayCounts(rms, func(r db.AdminDailyRoomsRow) (time.Time, int64) { return r.Day, r.N }),
		func(d *Day) *int64 { return &d.Rooms })
	evs, err := s.q.AdminDailyEvents(ctx, s.pool, since.UnixMilli())
	if err != nil {
		return Overview{}, fmt.Errorf("count events by day: %w", err)
	}
	add(dayCounts(evs, func(r db.AdminDailyEventsRow) (time.Time, int64) { return r.Day, r.N }),
		func(d *Day) *int64 { return &d.Events })
	med, err := s.q.AdminDailyMedia(ctx, s.pool, db.AdminDailyMediaParams{Since: since, Origin: s.serverName})
	if err != nil {
		return Overview{}, fmt.Errorf("count media by day: %w", err)
	}
	add(dayCounts(med, func(r db.AdminDailyMediaRow) (time.Time, int64) { return r.Day, r.N }),
		func(d *Day) *int64 { return &d.MediaBytes })
	return o, nil
}

type dayCount struct {
	day time.Time
	n   int64
}

func dayCounts[R any](rows []R, get func(R) (time.Time, int64)) []dayCount {
	out := make([]dayCount, len(rows))
	for i, r := range rows {
		out[i].day, out[i].n = get(r)
	}
	return out
}
