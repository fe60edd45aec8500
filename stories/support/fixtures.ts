/**
 * Dashboards for the stories, as a backend would send them: every value is a valid
 * `@fg/protocol` snapshot, so what a story shows is what a real session can show.
 */
import { Limits } from '@fg/protocol';
import type { Consultant, MessageItem, Snapshot, UpcomingItem } from '@fg/protocol';

/** The stories' "now": Wednesday 15 October 2025, 10:00 in New York. Fixed, so screenshots never drift. */
export const STORY_NOW = Date.UTC(2025, 9, 15, 14, 0, 0);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

export const CONSULTANT: Consultant = {
  id: 'c-story',
  name: 'Dr. Maya Chen',
  timezone: 'America/New_York',
  currency: 'USD',
  locale: 'en-US',
};

/** A long locale: longer words, another currency, another time zone. */
export const GERMAN_CONSULTANT: Consultant = {
  id: 'c-de',
  name: 'Dr. Johanna Schäfer-Lindqvist',
  timezone: 'Europe/Berlin',
  currency: 'EUR',
  locale: 'de-DE',
};

function consultation(
  id: string,
  familyName: string,
  title: string,
  startsAt: number,
  status: UpcomingItem['status'] = 'scheduled',
): UpcomingItem {
  return { id, familyName, title, startsAt: iso(startsAt), endsAt: iso(startsAt + 50 * MINUTE), status };
}

function message(id: string, familyName: string, preview: string, sentAt: number, read = true): MessageItem {
  return { id, familyName, preview: preview.slice(0, Limits.messagePreviewChars), sentAt: iso(sentAt), read };
}

/** The story's consultant: 3 upcoming, 2 active, $5,000 this month, 6 families, 0 unread. */
export function typicalSnapshot(now = STORY_NOW): Snapshot {
  return {
    epoch: 'story',
    seq: 40,
    serverTime: now,
    consultant: CONSULTANT,
    counts: { upcoming: 3, active: 2, completed: 14, familyClients: 6, unreadMessages: 0, tasksDueToday: 2 },
    revenue: { month: iso(now).slice(0, 7), amountMinor: 500_000, currency: 'USD' },
    upcoming: [
      consultation('a1', 'The Johnson family', 'Sleep routines', now - 20 * MINUTE, 'active'),
      consultation('a2', 'The Patel family', 'Toddler tantrums', now - 10 * MINUTE, 'active'),
      consultation('s1', 'The Garcia family', 'Starting school', now + 45 * MINUTE),
      consultation('s2', 'The Kim family', 'Screen time', now + 26 * HOUR),
      consultation('s3', 'The Novak family', 'Sibling rivalry', now + 72 * HOUR),
    ],
    recentMessages: [
      message('m3', 'The Abara family', 'See you tomorrow.', now - 30 * MINUTE),
      message('m2', 'The Kim family', 'The new bedtime routine is working!', now - 2 * HOUR),
      message('m1', 'The Patel family', 'Could we bring our daughter next time?', now - 5 * HOUR),
    ],
  };
}

/** A consultant with nothing at all yet. */
export function emptySnapshot(now = STORY_NOW): Snapshot {
  return {
    ...typicalSnapshot(now),
    seq: 0,
    consultant: { ...CONSULTANT, id: 'c-empty', name: 'Sam Rivera' },
    counts: { upcoming: 0, active: 0, completed: 0, familyClients: 0, unreadMessages: 0, tasksDueToday: 0 },
    revenue: { month: iso(now).slice(0, 7), amountMinor: 0, currency: 'USD' },
    upcoming: [],
    recentMessages: [],
  };
}

/** A consultant past every cap: badges read "99+", the exact numbers stay in the accessible names. */
export function busySnapshot(now = STORY_NOW): Snapshot {
  const typical = typicalSnapshot(now);
  return {
    ...typical,
    consultant: { ...CONSULTANT, id: 'c-busy', name: 'Dr. Alexandra Montgomery-Whitfield' },
    counts: {
      upcoming: 120,
      active: 104,
      completed: 1500,
      familyClients: 230,
      unreadMessages: 150,
      tasksDueToday: 101,
    },
    revenue: { ...typical.revenue, amountMinor: 123_456_789 },
    recentMessages: typical.recentMessages.map((m) => ({ ...m, read: false })),
  };
}

/** The same practice in German, in euros, in Berlin. */
export function germanSnapshot(now = STORY_NOW): Snapshot {
  const typical = typicalSnapshot(now);
  return {
    ...typical,
    consultant: GERMAN_CONSULTANT,
    counts: { ...typical.counts, unreadMessages: 1 },
    revenue: { month: typical.revenue.month, amountMinor: 1_234_550, currency: 'EUR' },
    upcoming: [
      consultation('a1', 'Familie Müller-Lüdenscheidt', 'Schlafgewohnheiten', now - 20 * MINUTE, 'active'),
      consultation('a2', 'Familie Oberhäuser', 'Wutanfälle im Kleinkindalter', now - 10 * MINUTE, 'active'),
      consultation('s1', 'Familie Schmidt', 'Einschulung', now + 45 * MINUTE),
      consultation('s2', 'Familie Weißenfels', 'Bildschirmzeit', now + 26 * HOUR),
      consultation('s3', 'Familie Kowalczyk', 'Geschwisterstreit', now + 72 * HOUR),
    ],
    recentMessages: [
      message(
        'm3',
        'Familie Schmidt',
        'Können wir den Termin auf Donnerstag verschieben?',
        now - 30 * MINUTE,
        false,
      ),
      message('m2', 'Familie Weißenfels', 'Die neue Abendroutine funktioniert wunderbar!', now - 2 * HOUR),
      message('m1', 'Familie Oberhäuser', 'Dürfen wir unsere Tochter mitbringen?', now - 5 * HOUR),
    ],
  };
}
