/**
 * Parameter forms generated from an algorithm's `valid_parameters` (api.md §2.2 and §4.2):
 * name → `{type: str|enum|int|float|bool, required?, minimum?, maximum?, values?, default?}`.
 *
 * Form values are kept as the strings the inputs hold; `toParameters` turns them into the JSON
 * the API expects. Client-side messages use the API's own texts, so an error reads the same
 * whether the browser or the server found it.
 */

export type ParamType = 'str' | 'enum' | 'int' | 'float' | 'bool';

export interface ParamField {
  name: string;
  type: ParamType;
  required: boolean;
  minimum?: number;
  maximum?: number;
  /** enum only */
  values?: string[];
  /** the descriptor's default, already as a form string ('' when none) */
  defaultValue: string;
  description?: string;
  /** a human label (descriptors of Causeway's own forms have one; algorithms' do not) */
  label?: string;
}

export type FormValues = Record<string, string>;
export type FormErrors = Record<string, string[]>;

const TYPES: ParamType[] = ['str', 'enum', 'int', 'float', 'bool'];

/** Reads `valid_parameters` tolerantly: entries that are not objects are skipped. */
export function parseValidParameters(validParameters: unknown): ParamField[] {
  if (!validParameters || typeof validParameters !== 'object' || Array.isArray(validParameters)) return [];
  const fields: ParamField[] = [];
  for (const [name, raw] of Object.entries(validParameters as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') continue;
    const d = raw as Record<string, unknown>;
    const type = TYPES.includes(d.type as ParamType) ? (d.type as ParamType) : 'str';
    const field: ParamField = { name, type, required: d.required === true, defaultValue: '' };
    if (typeof d.minimum === 'number') field.minimum = d.minimum;
    if (typeof d.maximum === 'number') field.maximum = d.maximum;
    if (type === 'enum') field.values = Array.isArray(d.values) ? d.values.map(String) : [];
    if (typeof d.description === 'string') field.description = d.description;
    if (typeof d.label === 'string') field.label = d.label;
    field.defaultValue = toFormString(field, d.default);
    fields.push(field);
  }
  return fields;
}

/** A JSON value as a form string for this field, or '' when it does not fit the field. */
export function toFormString(field: Pick<ParamField, 'type' | 'values'>, value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (field.type) {
    case 'bool':
      if (value === true || value === 'true' || value === 1) return 'true';
      if (value === false || value === 'false' || value === 0) return 'false';
      return '';
    case 'enum':
      return field.values?.includes(String(value)) ? String(value) : '';
    case 'int':
    case 'float':
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '') ? String(value) : '';
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/**
 * Initial form values: the given parameters (e.g. of an experiment being duplicated) where they
 * fit, otherwise the descriptor's default, otherwise empty (the parameter is then omitted and
 * the algorithm uses its own default).
 */
export function initialValues(fields: ParamField[], given: Record<string, unknown> = {}): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const fromGiven = toFormString(field, given[field.name]);
    values[field.name] = fromGiven !== '' ? fromGiven : field.defaultValue;
  }
  return values;
}

function formatBound(type: ParamType, n: number): string {
  return type === 'float' && Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** The messages for one field's value; empty when it is valid. */
export function validateField(field: ParamField, raw: string): string[] {
  const value = raw.trim();
  if (value === '') return field.required ? ['Missing data for required field.'] : [];
  switch (field.type) {
    case 'enum':
      return field.values?.includes(value) ? [] : ['Not a valid choice.'];
    case 'bool':
      return value === 'true' || value === 'false' ? [] : ['Not a valid boolean.'];
    case 'int':
      if (!/^[+-]?\d+$/.test(value)) return ['Not a valid integer.'];
      return checkBounds(field, Number(value));
    case 'float': {
      const n = Number(value);
      if (!Number.isFinite(n)) return ['Not a valid number.'];
      return checkBounds(field, n);
    }
    default:
      return [];
  }
}

function checkBounds(field: ParamField, n: number): string[] {
  const { minimum: min, maximum: max, type } = field;
  const tooLow = min !== undefined && n < min;
  const tooHigh = max !== undefined && n > max;
  if (!tooLow && !tooHigh) return [];
  if (min !== undefined && max !== undefined) {
    return [`Must be between ${formatBound(type, min)} and ${formatBound(type, max)}.`];
  }
  return tooLow ? [`Must be at least ${formatBound(type, min!)}.`] : [`Must be at most ${formatBound(type, max!)}.`];
}

/** Messages for every invalid field (fields without problems are absent). */
export function validateAll(fields: ParamField[], values: FormValues): FormErrors {
  const errors: FormErrors = {};
  for (const field of fields) {
    const messages = validateField(field, values[field.name] ?? '');
    if (messages.length) errors[field.name] = messages;
  }
  return errors;
}

/** The `parameters` object to send: typed values, empty fields omitted, in declaration order. */
export function toParameters(fields: ParamField[], values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = (values[field.name] ?? '').trim();
    if (value === '') continue;
    switch (field.type) {
      case 'int':
      case 'float':
        out[field.name] = Number(value);
        break;
      case 'bool':
        out[field.name] = value === 'true';
        break;
      default:
        out[field.name] = value;
    }
  }
  return out;
}

/** Attributes for the field's input element. */
export function inputAttributes(field: ParamField): Record<string, string | number | boolean> {
  const attrs: Record<string, string | number | boolean> = { required: field.required };
  if (field.type === 'int' || field.type === 'float') {
    attrs.type = 'number';
    attrs.step = field.type === 'int' ? 1 : 'any';
    attrs.inputMode = field.type === 'int' ? 'numeric' : 'decimal';
    if (field.minimum !== undefined) attrs.min = field.minimum;
    if (field.maximum !== undefined) attrs.max = field.maximum;
  } else {
    attrs.type = 'text';
  }
  return attrs;
}

/** A short hint: type and bounds, e.g. "float, 0.0 – 1.0". */
export function describeField(field: ParamField): string {
  const { minimum: min, maximum: max, type } = field;
  let range = '';
  if (min !== undefined && max !== undefined) range = `${formatBound(type, min)} – ${formatBound(type, max)}`;
  else if (min !== undefined) range = `≥ ${formatBound(type, min)}`;
  else if (max !== undefined) range = `≤ ${formatBound(type, max)}`;
  const label = { str: 'text', enum: 'choice', int: 'integer', float: 'number', bool: 'yes/no' }[type];
  return range ? `${label}, ${range}` : label;
}
