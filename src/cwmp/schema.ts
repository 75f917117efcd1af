/**
 * A small vocabulary for describing CWMP message arguments as data. Each
 * method's arguments are written once as {@linkcode Fields}; the TypeScript
 * types, the checks of decoded arguments, the decoder and the encoder are
 * all derived from that one description, so they cannot drift apart.
 *
 * @module
 */

/** A string, optionally bounded in length and restricted to some values. */
export interface StringType {
  /** Discriminant. */
  readonly kind: "string";
  /** Maximum length in characters, from the XSD. */
  readonly max?: number;
  /** Allowed values, when the XSD enumerates them. */
  readonly values?: readonly string[];
}

/** An integer with an inclusive range (int, unsignedInt). */
export interface NumberType {
  /** Discriminant. */
  readonly kind: "number";
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value. */
  readonly max: number;
  /** Allowed values, when the XSD enumerates them. */
  readonly values?: readonly number[];
}

/** An `xsd:boolean`: `true`, `false`, `1` or `0` on input. */
export interface BooleanType {
  /** Discriminant. */
  readonly kind: "boolean";
}

/** An `xsd:dateTime`, kept as its lexical form. */
export interface DateTimeType {
  /** Discriminant. */
  readonly kind: "dateTime";
}

/** A base64 value (`soap-enc:base64`), kept as its lexical form. */
export interface Base64Type {
  /** Discriminant. */
  readonly kind: "base64";
}

/**
 * A `ParameterValueStruct`: a name and a value whose `xsi:type` travels with
 * it. Decodes to {@linkcode ParameterValueStruct}.
 */
export interface ParameterValueStructType {
  /** Discriminant. */
  readonly kind: "parameterValueStruct";
}

/** A sequence of named fields. */
export interface StructType<F extends Fields = Fields> {
  /** Discriminant. */
  readonly kind: "struct";
  /** The struct's fields, in XML order. */
  readonly fields: F;
}

/** A SOAP-encoded array: one wrapper element carrying `soap-enc:arrayType`. */
export interface ArrayType<T extends ValueType = ValueType> {
  /** Discriminant. */
  readonly kind: "array";
  /** Type of each item. */
  readonly item: T;
  /** Element name of each item, e.g. `ParameterValueStruct` or `string`. */
  readonly itemName: string;
  /** Qualified item type written in `soap-enc:arrayType`, e.g. `xsd:string`. */
  readonly arrayType: string;
  /** Fewest items allowed. */
  readonly min: number;
  /** Most items allowed. */
  readonly max: number;
}

/**
 * A polymorphic struct chosen by `xsi:type` (ChangeDUState's Operations).
 * The key of each variant is the XSD type name.
 */
export interface ChoiceType<
  V extends Record<string, Fields> = Record<string, Fields>,
> {
  /** Discriminant. */
  readonly kind: "choice";
  /** The fields of each variant, keyed by XSD type name. */
  readonly variants: V;
}

/** Any value type of the vocabulary. */
export type ValueType =
  | StringType
  | NumberType
  | BooleanType
  | DateTimeType
  | Base64Type
  | ParameterValueStructType
  | StructType
  | ArrayType
  | ChoiceType;

/** One named field of a struct or method. */
export interface Field<T extends ValueType = ValueType> {
  /** The XML element name. */
  readonly xml: string;
  /** The value type. */
  readonly type: T;
  /** May be absent (`minOccurs="0"`). */
  readonly optional: boolean;
  /** Repeats as sibling elements (`maxOccurs` > 1) rather than an array. */
  readonly repeated: false | { readonly min: number; readonly max: number };
  /**
   * Lexical value the decoder uses when a required element is missing. Only
   * set where real ACSes are known to leave out an empty element.
   */
  readonly default?: string;
  /**
   * The key of a boolean sibling field without which this one means nothing
   * (SetParameterAttributes' `NotificationChange` for `Notification`): when
   * that flag is false the decoder ignores whatever this element holds, even
   * nothing at all, and uses the type's empty value.
   */
  readonly onlyWhen?: string;
}

/** A required, non-repeating field of type `T`, as {@linkcode field} builds. */
export interface RequiredField<T extends ValueType> extends Field<T> {
  /** Always false. */
  readonly optional: false;
  /** Always false. */
  readonly repeated: false;
}

/** The fields of a struct or method, keyed by their TypeScript name. */
export type Fields = { readonly [key: string]: Field };

/**
 * A parameter name with its value and the value's `xsi:type` local name
 * (`string`, `int`, `unsignedInt`, `long`, `unsignedLong`, `boolean`,
 * `dateTime`, `base64`, `hexBinary`, `decimal`). The value keeps its lexical
 * form; the data model parses it.
 */
export interface ParameterValueStruct {
  /** Full parameter path. */
  readonly name: string;
  /** The value's lexical form. */
  readonly value: string;
  /** The `xsi:type` local name; absent when the sender gave none. */
  readonly type?: string;
}

/** Flattens an intersection into one object type for readable hovers. */
export type Simplify<T> = { [K in keyof T]: T[K] } & unknown;

/** The TypeScript type of a value type. */
export type TypeOf<T> = T extends StringType | DateTimeType | Base64Type
  ? string
  : T extends NumberType ? number
  : T extends BooleanType ? boolean
  : T extends ParameterValueStructType ? ParameterValueStruct
  : T extends StructType<infer F> ? FieldsOf<F>
  : T extends ArrayType<infer I> ? readonly TypeOf<I>[]
  : T extends ChoiceType<infer V> ? {
      [K in keyof V & string]: Simplify<{ readonly type: K } & FieldsOf<V[K]>>;
    }[keyof V & string]
  : never;

/** The TypeScript type of one field (an array when it repeats). */
export type FieldValue<F> = F extends
  { readonly repeated: false; readonly type: infer T } ? TypeOf<T>
  : F extends { readonly type: infer T } ? readonly TypeOf<T>[]
  : never;

/** Keys of the fields that must be present. */
export type RequiredKeys<F> = {
  [K in keyof F]: F[K] extends { readonly optional: true } ? never : K;
}[keyof F];
/** Keys of the fields that may be absent. */
export type OptionalKeys<F> = {
  [K in keyof F]: F[K] extends { readonly optional: true } ? K : never;
}[keyof F];

/** The TypeScript object type described by some fields. */
export type FieldsOf<F> = Simplify<
  & { readonly [K in RequiredKeys<F>]: FieldValue<F[K]> }
  & { readonly [K in OptionalKeys<F>]?: FieldValue<F[K]> }
>;

const UINT_MAX = 4294967295;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * Builders for value types.
 *
 * @example
 * ```ts
 * import { t } from "./schema.ts";
 * const commandKey = t.string(32);
 * console.log(commandKey); // { kind: "string", max: 32 }
 * ```
 */
export const t = {
  /** A string of at most `max` characters. */
  string(max?: number, values?: readonly string[]): StringType {
    return values ? { kind: "string", max, values } : { kind: "string", max };
  },
  /** An `xsd:unsignedInt`, optionally restricted to some values. */
  unsignedInt(values?: readonly number[], min = 0): NumberType {
    return { kind: "number", min, max: UINT_MAX, values };
  },
  /** An `xsd:int`, optionally restricted to some values. */
  int(values?: readonly number[]): NumberType {
    return { kind: "number", min: INT_MIN, max: INT_MAX, values };
  },
  /** An `xsd:boolean`. */
  boolean(): BooleanType {
    return { kind: "boolean" };
  },
  /** An `xsd:dateTime`. */
  dateTime(): DateTimeType {
    return { kind: "dateTime" };
  },
  /** A base64 value. */
  base64(): Base64Type {
    return { kind: "base64" };
  },
  /** A ParameterValueStruct. */
  parameterValueStruct(): ParameterValueStructType {
    return { kind: "parameterValueStruct" };
  },
  /** A struct of fields. */
  struct<F extends Fields>(fields: F): StructType<F> {
    return { kind: "struct", fields };
  },
  /** A SOAP-encoded array of `item`, each item element named `itemName`. */
  array<T extends ValueType>(
    itemName: string,
    arrayType: string,
    item: T,
    bounds: { min?: number; max?: number } = {},
  ): ArrayType<T> {
    return {
      kind: "array",
      item,
      itemName,
      arrayType,
      min: bounds.min ?? 0,
      max: bounds.max ?? Number.MAX_SAFE_INTEGER,
    };
  },
  /** An array of strings of at most `max` characters (`xsd:string[n]`). */
  stringArray(
    max: number,
    bounds: { min?: number; max?: number } = {},
  ): ArrayType<StringType> {
    return t.array("string", "xsd:string", t.string(max), bounds);
  },
  /** A struct chosen by `xsi:type` among `variants`. */
  choice<V extends Record<string, Fields>>(variants: V): ChoiceType<V> {
    return { kind: "choice", variants };
  },
};

/**
 * A required field named `xml` in XML.
 *
 * @example
 * ```ts
 * import { field, t } from "./schema.ts";
 * const key = field("ParameterKey", t.string(32));
 * console.log(key.xml, key.optional); // "ParameterKey" false
 * ```
 */
export function field<T extends ValueType>(
  xml: string,
  type: T,
  lenient?: { readonly default?: string; readonly onlyWhen?: string },
): {
  readonly xml: string;
  readonly type: T;
  readonly optional: false;
  readonly repeated: false;
  readonly default?: string;
  readonly onlyWhen?: string;
} {
  return {
    xml,
    type,
    optional: false,
    repeated: false,
    ...(lenient?.default !== undefined ? { default: lenient.default } : {}),
    ...(lenient?.onlyWhen !== undefined ? { onlyWhen: lenient.onlyWhen } : {}),
  };
}

/**
 * An optional field (`minOccurs="0"`).
 *
 * @example
 * ```ts
 * import { optional, t } from "./schema.ts";
 * console.log(optional("CommandKey", t.string(32)).optional); // true
 * ```
 */
export function optional<T extends ValueType>(
  xml: string,
  type: T,
): {
  readonly xml: string;
  readonly type: T;
  readonly optional: true;
  readonly repeated: false;
} {
  return { xml, type, optional: true, repeated: false };
}

/**
 * A field that repeats as sibling elements, `min` to `max` times.
 *
 * @example
 * ```ts
 * import { repeated, t } from "./schema.ts";
 * console.log(repeated("Results", t.string(), 1).repeated); // { min: 1, max: 9007199254740991 }
 * ```
 */
export function repeated<T extends ValueType>(
  xml: string,
  type: T,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): {
  readonly xml: string;
  readonly type: T;
  readonly optional: false;
  readonly repeated: { readonly min: number; readonly max: number };
} {
  return { xml, type, optional: false, repeated: { min, max } };
}
