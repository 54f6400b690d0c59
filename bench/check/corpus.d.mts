export const DOCKERFILE_DEFECTS: Record<string, string>
export const COMPOSE_DEFECTS: Record<string, string>
export function dockerfile(random: () => number): { text: string; planted: string[] }
export function composeFile(random: () => number): { text: string; planted: string[] }
export function writeCorpus(dir: string, count: number, seed: number): { path: string; kind: 'dockerfile' | 'compose'; planted: string[] }[]
