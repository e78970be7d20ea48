import { expect } from 'chai';
import { nameProblems, parameterProblems, ArchiveProblems, arnPrefixLength, labelProblems, NAME_MAX } from '../../../ts/lib/restore/validate.js';
import { describeValueCallError } from '../../../ts/lib/support/errors.js';

describe('Parameter Store rules for archive entries (pure)', () => {
  it('names: syntax, 1011 characters, 15 levels, reserved prefixes in any case, hierarchies start with /', () => {
    expect(nameProblems('/app/db/url')).to.deep.equal([]);
    expect(nameProblems('plain_name-1.x')).to.deep.equal([]);
    expect(nameProblems(`/${'a'.repeat(1010)}`)).to.deep.equal([]);
    expect(nameProblems(`/${'a'.repeat(1011)}`)).to.deep.equal(['Name longer than 1011 characters']);
    expect(nameProblems(`/${Array(15).fill('l').join('/')}`)).to.deep.equal([]);
    expect(nameProblems(`/${Array(16).fill('l').join('/')}`)).to.deep.equal(['Name has more than 15 levels']);
    for (const n of ['/aws/x', 'SSM-thing', '/Aws', 'awsome']) expect(nameProblems(n), n).to.include('Name starts with the reserved prefix aws or ssm');
    expect(nameProblems('a/b')).to.include('a hierarchical Name must start with /');
    expect(nameProblems('/a b')).to.include('Name has characters other than a-zA-Z0-9_.-/');
    expect(nameProblems('/a//b')).to.include('Name has an empty level');
  });

  it('names: the ARN before the name counts toward the 1011 characters (PutParameter Name note: 45 in us-east-2)', () => {
    expect(arnPrefixLength('us-east-2')).to.equal('arn:aws:ssm:us-east-2:111122223333:parameter/'.length);
    expect(arnPrefixLength('cn-north-1')).to.equal('arn:aws-cn:ssm:cn-north-1:111122223333:parameter/'.length);
    const fits = 'a'.repeat(NAME_MAX - 45);
    for (const name of [fits, `/${fits}`]) expect(nameProblems(name, 'us-east-2'), name.slice(0, 2)).to.deep.equal([]);
    expect(nameProblems(`/${fits}b`, 'us-east-2')).to.deep.equal(['Name with its ARN in us-east-2 longer than 1011 characters']);
    expect(nameProblems(`${fits}b`, 'us-east-2')).to.deep.equal(['Name with its ARN in us-east-2 longer than 1011 characters']);
    // A longer region name leaves less room: the same name fits one region and not the other.
    const name = `/${'a'.repeat(NAME_MAX - 45)}`;
    expect(nameProblems(name, 'ap-southeast-2')).to.have.length(1);
    expect(parameterProblems({ Name: name, Type: 'String', Value: 'v' }, 'ap-southeast-2')).to.have.length(1);
    expect(new ArchiveProblems(20, 'ap-southeast-2').rules({ Name: name, Type: 'String', Value: 'v' })).to.equal(false);
  });

  it('fields: Type and size refuse; DataType, AllowedPattern, Tier, policy types never do; problems never quote the value', () => {
    const base = { Name: '/a', Type: 'String', Value: 'v' };
    expect(parameterProblems(base)).to.deep.equal([]);
    expect(parameterProblems({ ...base, Value: 'x'.repeat(5000), Tier: 'Standard' })).to.deep.equal(['Value is 5000 bytes, over 4096 for the Standard tier']);
    expect(parameterProblems({ ...base, Value: 'x'.repeat(5000) })).to.deep.equal([]);
    // AWS judges data types, tiers, policy types and pattern dialects: never a refusal (notes.ts notes them).
    for (const DataType of ['aws:ec2:image', 'json', 'integer', 'aws:some-future-type', 'Text'])
      expect(parameterProblems({ ...base, DataType, Value: 'not-an-ami' }), DataType).to.deep.equal([]);
    for (const AllowedPattern of ['^\\d+$', '(?i)^[a-z]+$', '\\p{Alnum}+', '[[a-z]&&[^q]]+', '(unclosed'])
      expect(parameterProblems({ ...base, Value: 'secret-123', AllowedPattern }), AllowedPattern).to.deep.equal([]);
    expect(parameterProblems({ ...base, Tier: 'Premium' })).to.deep.equal([]);
    const futurePolicy = { PolicyText: '{"Type":"FuturePolicy","Version":"1.0"}' };
    expect(parameterProblems({ ...base, Tier: 'Advanced', Policies: [futurePolicy] })).to.deep.equal([]);
    expect(parameterProblems({ ...base, Policies: [{ PolicyText: 'not json' }] })).to.deep.equal([
      'Policies holds a policy that is not a JSON object with a Type',
    ]);
    expect(
      parameterProblems({
        ...base,
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'a', Value: '2' },
        ],
      }),
    ).to.deep.equal(['Tag key a given twice']);
    expect(
      parameterProblems({ ...base, Policies: [{ PolicyText: '{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00Z"}}' }] }),
    ).to.deep.equal([]);
  });

  it('tags: reserved aws: tags do not count toward the 50 (they are never sent); labels follow LabelParameterVersion', () => {
    const base = { Name: '/a', Type: 'String', Value: 'v' };
    const mine = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const cfn = ['stack-name', 'logical-id', 'stack-id'].map((k) => ({ Key: `aws:cloudformation:${k}`, Value: 'x' }));
    expect(parameterProblems({ ...base, Tags: [...mine, ...cfn] })).to.deep.equal([]);
    expect(parameterProblems({ ...base, Tags: [...mine, { Key: 'k50', Value: 'v' }] })).to.deep.equal(['more than 50 Tags']);
    expect(parameterProblems({ ...base, Labels: ['prod', 'v1.2_release-A'] })).to.deep.equal([]);
    for (const Labels of [['1st'], ['awsLabel'], ['SSM-x'], ['has space'], ['x'.repeat(101)], [''], Array.from({ length: 11 }, (_, i) => `l${i}`)])
      expect(parameterProblems({ ...base, Labels }), JSON.stringify(Labels).slice(0, 40)).to.have.length(1);
    expect(labelProblems(['ok', '9lives', 'aws-x'])).to.deep.equal([
      '2 labels LabelParameterVersion would refuse (1-100 of a-zA-Z0-9._-, not starting with a digit, aws or ssm)',
    ]);
  });

  it('collects across an archive: shapes and duplicates on every entry, a bounded list of offenders', () => {
    const p = new ArchiveProblems(2);
    expect(p.entry({ Name: '/a', Type: 'String', Value: 'x' }, 0)).to.deep.include({ Name: '/a' });
    expect(p.entry({ Name: '/a', Type: 'String', Value: 'y' }, 1)).to.equal(undefined);
    expect(p.entry('text', 2)).to.equal(undefined);
    expect(p.entry({ Name: '/c', Value: 3 }, 3)).to.equal(undefined);
    expect(p.summary()).to.equal("3 entries break Parameter Store's rules: /a (given twice (ambiguous)), #3 null (not a JSON object), and 1 more");
  });
});

describe('errors of calls that carried a value', () => {
  it('are described by code, field and status only, whatever the service says', () => {
    const err = Object.assign(new Error("Value 'line1\nline2' at 'value' failed; at 'x' Value 'E'"), {
      name: 'ParameterPatternMismatchException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(describeValueCallError(err)).to.equal('ParameterPatternMismatchException (field: Value (AllowedPattern)) [HTTP 400]');
    expect(describeValueCallError(Object.assign(new Error('boom secret'), { name: 'weird name with secret' }))).to.equal('Error');
  });

  it('a ValidationException names its field from a fixed vocabulary, never the text', () => {
    const v = (message: string) =>
      describeValueCallError(Object.assign(new Error(message), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }));
    expect(v('The following data type is not supported: secret-json (Data type names are all lowercase.)')).to.equal(
      'ValidationException (field: DataType) [HTTP 400]',
    );
    expect(v("1 validation error detected: Value 'secret data type' at 'value' failed to satisfy constraint")).to.equal(
      'ValidationException (field: Value) [HTTP 400]',
    );
    expect(v("Value at 'tags.member.key' failed")).to.equal('ValidationException (field: Tags) [HTTP 400]');
    expect(v('something else entirely: secret')).to.equal('ValidationException [HTTP 400]');
  });
});
