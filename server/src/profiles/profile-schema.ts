/**
 * The schema of a device profile: register maps as data. One generic decoder (gateway) and one
 * generic encoder (simulator) work from these objects; a new brand is one data file.
 */
import { z } from 'zod';
import { DEVICE_STATUSES, NUMERIC_FIELDS, TEXT_FIELDS } from '../core/reading.ts';

/** Register value types, a closed vocabulary. `acc32` is a u32 energy accumulator that may roll over. */
export const REGISTER_TYPES = [
  'u16',
  's16',
  'u32',
  's32',
  'u64',
  's64',
  'f32',
  'str',
  'acc32',
  'sunssf',
] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

/** Registers per type (str takes its `size`). */
export const TYPE_WORDS: Readonly<Record<Exclude<RegisterType, 'str'>, number>> = {
  u16: 1,
  s16: 1,
  sunssf: 1,
  u32: 2,
  s32: 2,
  acc32: 2,
  f32: 2,
  u64: 4,
  s64: 4,
};

const register = z.number().int().min(0).max(65535);

/**
 * How often a block is read: `connection` once per Modbus connection (identity, nameplate: nothing
 * static is re-read every second), `harvest` on every harvest (measurements, energy counters).
 */
export const BLOCK_CADENCES = ['connection', 'harvest'] as const;
export type BlockCadence = (typeof BLOCK_CADENCES)[number];

/** One contiguous read: Modbus function 3 (holding) or 4 (input), at most 125 registers. */
export const BlockSchema = z.object({
  function: z.union([z.literal(3), z.literal(4)]).default(3),
  start: register,
  count: z.number().int().min(1).max(125),
  /** How often the block is read (default every harvest). */
  cadence: z.enum(BLOCK_CADENCES).default('harvest'),
  /**
   * Some firmware lacks the block (answers exception 02/03 or nothing): its fields are then absent and
   * the reading is still delivered. A required block failing fails the reading.
   */
  optional: z.boolean().default(false),
});
export type Block = z.infer<typeof BlockSchema>;

/** How one canonical field is read from a register. value = (raw · gain · 10^sf) + offset. */
export const PointSchema = z.object({
  /** Register address as written in the vendor document (see profile `addressing`). */
  address: register,
  function: z.union([z.literal(3), z.literal(4)]).default(3),
  type: z.enum(REGISTER_TYPES),
  /** Registers for `str`; derived from the type otherwise. */
  size: z.number().int().min(1).max(64).optional(),
  /** Order of 16-bit words in multi-register values; Sungrow and some meters send the low word first. */
  words: z.enum(['high-first', 'low-first']).default('high-first'),
  /** Fixed gain, e.g. 0.1 for a value in tenths, 1000 for kWh → Wh. */
  gain: z.number().default(1),
  /** Address of a SunSpec-style scale-factor register (sunssf, power of ten) read in the same block. */
  sf: register.optional(),
  offset: z.number().default(0),
  /**
   * Raw values meaning "not implemented"; the field is then absent. Omitted: the SunSpec values for the
   * type (0xFFFF u16, 0x8000 s16, 0xFFFFFFFF u32, 0x80000000 s32, …; NaN f32 always). `[]`: none.
   */
  notImplemented: z.array(z.number()).optional(),
  /** For `status`: raw code → canonical status. Unlisted codes become "unknown". */
  map: z.record(z.string(), z.enum(DEVICE_STATUSES)).optional(),
  /** The vendor's register name, kept for people reading the profile. */
  name: z.string().optional(),
});
export type Point = z.infer<typeof PointSchema>;

export const CanonicalFieldSchema = z.enum([...NUMERIC_FIELDS, ...TEXT_FIELDS, 'status']);
export const NumericFieldSchema = z.enum(NUMERIC_FIELDS);

/** A name for a term (a register read only to compute fields), e.g. `pv1_power`. */
const termName = z.string().regex(/^[a-z][a-z0-9_]*$/);

/**
 * A field computed from points read in the same poll (canonical points or terms): the sum of several,
 * the difference of two (first minus second), one with its sign flipped, or a magnitude made negative
 * while a status bit is set. Absent if any operand is.
 */
export const ComputedSchema = z.union([
  z.object({ sum: z.array(termName).min(2) }).strict(),
  z.object({ difference: z.tuple([termName, termName]) }).strict(),
  z.object({ negate: termName }).strict(),
  // A magnitude whose direction is a status bit (Sungrow SH: battery power, "discharging" bit 2 of 13000).
  z
    .object({
      magnitude: termName,
      negativeWhen: z.object({ term: termName, bit: z.number().int().min(0).max(31) }).strict(),
    })
    .strict(),
]);
export type Computed = z.infer<typeof ComputedSchema>;

/** A registers-equal-value test used by `--profile auto` to recognise a device. */
export const IdentifySchema = z.object({
  function: z.union([z.literal(3), z.literal(4)]).default(3),
  address: register,
  /** Expected raw register values starting at `address`. */
  equals: z.array(z.number().int().min(0).max(65535)).optional(),
  /** Or: the register at `address` holds one of these values (a model code with variants). */
  oneOf: z.array(z.number().int().min(0).max(65535)).min(1).optional(),
  /** Or: the register range must be readable and this text must appear in it (ASCII, 2 chars a register). */
  contains: z.string().optional(),
  size: z.number().int().min(1).max(32).default(1),
});

export const ProfileSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
  make: z.string(),
  /** A battery is a battery bank or its monitor (no PV of its own); hybrids are inverters with battery fields. */
  kind: z.enum(['inverter', 'meter', 'battery']).default('inverter'),
  products: z.array(z.string()).default([]),
  /** Transport defaults and addressing: 1 means the document numbers registers from 1 (wire = address − 1). */
  transport: z
    .object({
      unit: z.number().int().min(0).max(247).default(1),
      port: z.number().int().min(1).max(65535).default(502),
      addressing: z.union([z.literal(0), z.literal(1)]).default(0),
      /** Device accepts only one TCP client; close the connection between polls. */
      singleClient: z.boolean().default(false),
    })
    .prefault({}),
  /** Fixed identity or nameplate values when the device has no register for them. */
  constants: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  /** Reads that together cover every point (planned so none spans a gap the device rejects). */
  blocks: z.array(BlockSchema).min(1),
  /** The smallest read that yields the grid frequency, for the 10 Hz path. */
  frequency: BlockSchema.pick({ function: true, start: true, count: true }).optional(),
  points: z.partialRecord(CanonicalFieldSchema, PointSchema),
  /** Registers read only as operands of `computed` fields (not part of the reading), by name. */
  terms: z.record(termName, PointSchema).default({}),
  /** Numeric fields computed from points and terms of the same poll, e.g. `dc_power_w: { sum: [pv1_power, pv2_power] }`. */
  computed: z.partialRecord(NumericFieldSchema, ComputedSchema).default({}),
  identify: IdentifySchema.optional(),
  /**
   * Register ranges the device answers according to its document, beyond the blocks egw reads. The
   * simulator serves them (registers it does not model hold `fill`: 0, or the vendor's not-implemented
   * value) so other clients reading the documented ranges get data, not exception 02.
   */
  documentedRanges: z
    .array(
      z.object({
        function: z.union([z.literal(3), z.literal(4)]).default(3),
        start: register,
        count: z.number().int().min(1).max(65536),
        fill: z.number().int().min(0).max(65535).default(0),
      }),
    )
    .default([]),
  /** Holding registers the device accepts writes to (settings), in the document's numbering. */
  writable: z.array(z.object({ start: register, count: z.number().int().min(1).max(65536) })).default([]),
  /** The exception code the device answers a write to a read-only register with (02 unless known). */
  readOnlyException: z.number().int().min(1).max(11).default(2),
  /**
   * Registers every device of this kind holds with the same words (the SunSpec marker "SunS", model ids
   * and lengths of a fixed SunSpec layout). Not decoded; the simulator serves them, so SunSpec clients
   * can walk a simulated fixed-layout device.
   */
  fixedRegisters: z
    .array(
      z.object({
        function: z.union([z.literal(3), z.literal(4)]).default(3),
        address: register,
        words: z.array(z.number().int().min(0).max(65535)).min(1),
      }),
    )
    .default([]),
  notes: z.string().optional(),
});
export type Profile = z.infer<typeof ProfileSchema>;
/** A profile as written in a data file, before defaults are applied. */
export type ProfileInput = z.input<typeof ProfileSchema>;
