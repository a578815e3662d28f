import type { Options } from 'tsup'
export declare const preset: Options
