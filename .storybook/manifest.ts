/**
 * `custom-elements.json` as Storybook's controls and docs should read it: only the public
 * API (no private or protected members, which the manifest keeps for other tools), and each
 * element's summary as the first lines of its description.
 */
interface Member {
  kind?: string;
  name?: string;
  privacy?: string;
  static?: boolean;
}
interface Declaration {
  summary?: string;
  description?: string;
  members?: Member[];
  events?: { name?: string }[];
  [key: string]: unknown;
}
interface Manifest {
  modules?: { declarations?: Declaration[]; [key: string]: unknown }[];
  [key: string]: unknown;
}

const isPublic = (member: Member) => !member.static && (member.privacy ?? 'public') === 'public';

export function forStorybook(manifest: Manifest): Manifest {
  return {
    ...manifest,
    modules: manifest.modules?.map((module) => ({
      ...module,
      declarations: module.declarations?.map((declaration) => ({
        ...declaration,
        description: [declaration.summary, declaration.description].filter(Boolean).join('\n\n'),
        members: declaration.members?.filter(isPublic),
        events: declaration.events?.filter((event) => event.name),
      })),
    })),
  };
}
